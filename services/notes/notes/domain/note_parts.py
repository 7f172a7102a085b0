"""The parts a note is made of: its kind, its state, its SOAP text and its addenda."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class NoteKind(StrEnum):
    INITIAL_EVALUATION = "initial_evaluation"
    DAILY_NOTE = "daily_note"
    PROGRESS_REPORT = "progress_report"
    DISCHARGE = "discharge"


class NoteStatus(StrEnum):
    DRAFT = "draft"
    FORWARDED = "forwarded"
    FINALIZED = "finalized"
    # A draft started by mistake and thrown away by its author: kept, never listed again.
    DISCARDED = "discarded"


@dataclass(frozen=True)
class SoapText:
    subjective: str = ""
    objective: str = ""
    assessment: str = ""
    plan: str = ""


@dataclass(frozen=True)
class Addendum:
    text: str
    author_id: str
    author_initials: str
    added_at: datetime

"""Forwarding a note for co-signature: to whom, again to someone else, and recalling it.

A note goes only to someone who can co-sign and finalize it: an active therapist of the
practice, other than its author, holding finish SOAP notes. The author may take a forwarded
note back (recall) or send it to another therapist instead, e.g. when the first one left.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from notes.domain.errors import (
    InvalidForwardTarget,
    NoteConflict,
    NoteNotForwarded,
    PermissionRefused,
)
from notes.domain.note_parts import NoteStatus
from notes.domain.users import Permission, PracticeUser, UserCategory

if TYPE_CHECKING:
    from notes.domain.notes import Note


class ForwardRefusal(StrEnum):
    """Why a user cannot receive a note for co-signature (`details.reason`)."""

    AUTHOR = "author"
    DEACTIVATED = "deactivated"
    NOT_A_THERAPIST = "not_a_therapist"
    CANNOT_FINALIZE = "cannot_finalize"


def require_forward_target(note: Note, to: PracticeUser) -> None:
    """Refuse a recipient who could not co-sign and finalize the note, saying what to do."""
    reason, message = _refusal(note, to)
    if reason is not None:
        raise InvalidForwardTarget(message, {
            "to_id": to.id, "to_category": to.category.value, "reason": reason.value})
    if note.status is NoteStatus.FORWARDED and note.forwarded_to_id == to.id:
        raise NoteConflict(
            f"This note is already forwarded to {to.full_name} for co-signature; to send it "
            "to someone else, forward it to another therapist.",
            {"forwarded_to_id": note.forwarded_to_id})


def _refusal(note: Note, to: PracticeUser) -> tuple[ForwardRefusal | None, str]:
    if to.id == note.author_id:
        return ForwardRefusal.AUTHOR, (
            "You cannot forward your own note to yourself; forward it to your supervising "
            "therapist, or finalize it yourself if you may.")
    if not to.active:
        return ForwardRefusal.DEACTIVATED, (
            f"{to.full_name} is deactivated and cannot co-sign this note; forward it to "
            "another therapist of your practice.")
    if to.category is not UserCategory.THERAPIST:
        return ForwardRefusal.NOT_A_THERAPIST, (
            f"{to.full_name} is not a therapist who can co-sign this note; forward it to "
            "your supervising therapist.")
    if not to.holds(Permission.FINISH_NOTES):
        return ForwardRefusal.CANNOT_FINALIZE, (
            f"{to.full_name} cannot finalize notes (they do not hold the finish SOAP notes "
            "permission); forward it to a therapist who does, or ask a User Manager to grant "
            "it to them.")
    return None, ""


def require_recaller(note: Note, by: PracticeUser) -> None:
    """Only the author takes back a note that waits for a co-signature."""
    if by.id != note.author_id:
        raise PermissionRefused(
            "Only the note's author can recall it; ask the author, or co-sign it if it was "
            "forwarded to you.", {"note_id": note.id})
    if note.status is not NoteStatus.FORWARDED:
        raise NoteNotForwarded(
            "This note is not forwarded to anyone, so there is nothing to recall; it is "
            f"{note.status.value}.", {"note_id": note.id, "status": note.status.value})

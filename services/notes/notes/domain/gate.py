"""The finalization gate: who may sign a note, and why not when they may not."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from notes.domain.users import Permission, PracticeUser, UserCategory


class GateReasonCode(StrEnum):
    MISSING_FINISH_NOTES = "missing_finish_notes_permission"
    CLINIC_DISALLOWS_ASSISTANTS = "clinic_disallows_assistants"
    INSURANCE_DISALLOWS_ASSISTANTS = "insurance_disallows_assistants"
    NO_SUPERVISING_THERAPIST = "no_supervising_therapist"
    STUDENTS_NEVER_FINALIZE = "students_never_finalize"
    CLERICAL_NEVER_FINALIZES = "clerical_never_finalizes"
    AUTOMATION_NEVER_FINALIZES = "automation_never_finalizes"


@dataclass(frozen=True)
class GateReason:
    code: GateReasonCode
    message: str


@dataclass(frozen=True)
class FinalizationDecision:
    allowed: bool
    reasons: tuple[GateReason, ...] = ()
    next_step: str = ""

    @property
    def message(self) -> str:
        """One sentence for the person: every part that is off, then what to do instead."""
        if self.allowed:
            return "You may finalize this note."
        parts = "; ".join(reason.message for reason in self.reasons)
        return f"You cannot finalize this note: {parts}. {self.next_step}"


_NO_FINISH_PERMISSION = GateReason(
    GateReasonCode.MISSING_FINISH_NOTES,
    "you do not hold the finish SOAP notes permission",
)
_CLINIC_OFF = GateReason(
    GateReasonCode.CLINIC_DISALLOWS_ASSISTANTS,
    'the clinic setting "assistants may finalize notes" is off',
)
_INSURANCE_OFF = GateReason(
    GateReasonCode.INSURANCE_DISALLOWS_ASSISTANTS,
    "this case's insurance does not allow therapist assistants to finalize notes",
)
_NO_SUPERVISOR = GateReason(
    GateReasonCode.NO_SUPERVISING_THERAPIST,
    "no supervising therapist is assigned to you to co-sign (a User Manager assigns one)",
)
_FORWARD_TO_SUPERVISOR = "Forward the note to your supervising therapist instead."

_NEVER: dict[UserCategory, tuple[GateReason, str]] = {
    UserCategory.STUDENT: (
        GateReason(GateReasonCode.STUDENTS_NEVER_FINALIZE, "students never finalize notes"),
        "Your supervising therapist reviews and finalizes the note.",
    ),
    UserCategory.CLERICAL: (
        GateReason(GateReasonCode.CLERICAL_NEVER_FINALIZES, "clerical users never finalize notes"),
        "A therapist finalizes the note.",
    ),
    UserCategory.AUTOMATION: (
        GateReason(
            GateReasonCode.AUTOMATION_NEVER_FINALIZES,
            "the automation profile never finalizes notes",
        ),
        "A therapist finalizes the note.",
    ),
}


def decide_finalization(
    author: PracticeUser,
    clinic_allows_assistants: bool,
    insurance_allows_assistants: bool,
) -> FinalizationDecision:
    """Decide whether `author` may finalize (sign) a note under these clinic/insurance settings."""
    has_permission = author.holds(Permission.FINISH_NOTES)
    if author.category is UserCategory.THERAPIST:
        if has_permission:
            return FinalizationDecision(allowed=True)
        return FinalizationDecision(
            allowed=False,
            reasons=(_NO_FINISH_PERMISSION,),
            next_step="Ask a User Manager for the finish SOAP notes permission, "
            "or forward the note to a therapist who holds it.",
        )
    if author.category is UserCategory.ASSISTANT:
        # All three must hold; name every one that is off so nobody fixes one at a time.
        reasons = []
        if not clinic_allows_assistants:
            reasons.append(_CLINIC_OFF)
        if not insurance_allows_assistants:
            reasons.append(_INSURANCE_OFF)
        if not has_permission:
            reasons.append(_NO_FINISH_PERMISSION)
        if author.supervising_therapist_id is None:
            reasons.append(_NO_SUPERVISOR)
        if not reasons:
            return FinalizationDecision(allowed=True)
        return FinalizationDecision(
            allowed=False, reasons=tuple(reasons), next_step=_FORWARD_TO_SUPERVISOR
        )
    # Students, clerical users and automation never sign, whatever their permissions say.
    reason, next_step = _NEVER[author.category]
    return FinalizationDecision(allowed=False, reasons=(reason,), next_step=next_step)

"""How the notes service sees a user: a projection of identity's user, kept from events."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class UserCategory(StrEnum):
    THERAPIST = "therapist"
    ASSISTANT = "assistant"
    CLERICAL = "clerical"
    STUDENT = "student"
    AUTOMATION = "automation"


class Permission(StrEnum):
    """Profile permission names shared by every service (they arrive as plain strings)."""

    VIEW_PATIENTS = "view_patients"
    EDIT_PATIENTS = "edit_patients"
    START_NOTES = "start_notes"
    FORWARD_NOTES = "forward_notes"
    FINISH_NOTES = "finish_notes"
    DELETE_TRANSACTIONS = "delete_transactions"
    MANAGE_USERS = "manage_users"
    SHARE_DOCUMENTS = "share_documents"
    VIEW_AUDIT = "view_audit"


@dataclass(frozen=True, kw_only=True)
class PracticeUser:
    """A user of the practice as the notes service knows them."""

    id: str
    full_name: str
    user_type: str  # the user type code from identity's catalog, e.g. "PTA"
    category: UserCategory
    permissions: frozenset[str]
    permission_version: int
    supervising_therapist_id: str | None = None
    # False once identity deactivated the user: they receive no notes to co-sign.
    active: bool = True

    def __post_init__(self) -> None:
        # Projections are built from event data, so coerce strings once here rather than
        # trusting every caller to pass enum members.
        object.__setattr__(self, "category", UserCategory(self.category))
        object.__setattr__(self, "permissions", frozenset(self.permissions))
        initials(self.full_name)  # a user whose name gives no initials cannot sign a chart

    def holds(self, permission: Permission) -> bool:
        return permission in self.permissions

    @property
    def initials(self) -> str:
        return initials(self.full_name)


# Generational suffixes are not a last name: "John Smith Jr." signs "JS", not "JJ".
_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})


def initials(full_name: str) -> str:
    """First letter of the first and of the last name, upper case ("Ana de la Cruz" -> "AC")."""
    # Credentials follow a comma ("Jane Doe, PT, DPT") and are not part of the name.
    name = full_name.split(",", 1)[0]
    words = [
        word
        for word in name.split()
        if any(ch.isalpha() for ch in word) and word.strip(".").lower() not in _SUFFIXES
    ]
    if not words:
        raise ValueError(f"cannot take initials from the name {full_name!r}")
    first_letters = [next(ch for ch in word if ch.isalpha()) for word in words]
    if len(words) == 1:
        return first_letters[0].upper()
    return (first_letters[0] + first_letters[-1]).upper()

"""Builders for the notes domain's unit tests: users with their category's default permissions."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest

from notes.domain.notes import Note, NoteKind, start_note
from notes.domain.users import PracticeUser, UserCategory

# The default profile permissions per category (DOMAIN.md, "Practices, clinics, users").
DEFAULT_PERMISSIONS = {
    UserCategory.THERAPIST: frozenset(
        {
            "view_patients",
            "edit_patients",
            "start_notes",
            "forward_notes",
            "finish_notes",
            "delete_transactions",
        }
    ),
    UserCategory.ASSISTANT: frozenset(
        {"view_patients", "edit_patients", "start_notes", "forward_notes"}
    ),
    UserCategory.CLERICAL: frozenset({"view_patients", "edit_patients"}),
    UserCategory.STUDENT: frozenset({"view_patients", "edit_patients", "start_notes"}),
    UserCategory.AUTOMATION: frozenset(),
}

USER_TYPES = {
    UserCategory.THERAPIST: "PT",
    UserCategory.ASSISTANT: "PTA",
    UserCategory.CLERICAL: "Front Office",
    UserCategory.STUDENT: "SPT",
    UserCategory.AUTOMATION: "Automation",
}

MakeUser = Callable[..., PracticeUser]


@pytest.fixture
def now() -> datetime:
    return datetime(2025, 3, 14, 15, 30, tzinfo=UTC)


@pytest.fixture
def make_user() -> MakeUser:
    def make(
        category: UserCategory,
        full_name: str = "Casey Dunn",
        *,
        add: frozenset[str] = frozenset(),
        remove: frozenset[str] = frozenset(),
        supervising_therapist_id: str | None = None,
    ) -> PracticeUser:
        return PracticeUser(
            id=str(uuid.uuid4()),
            full_name=full_name,
            user_type=USER_TYPES[category],
            category=category,
            permissions=(DEFAULT_PERMISSIONS[category] | add) - remove,
            permission_version=1,
            supervising_therapist_id=supervising_therapist_id,
        )

    return make


@pytest.fixture
def therapist(make_user: MakeUser) -> PracticeUser:
    return make_user(UserCategory.THERAPIST, "Carol Dunn")


@pytest.fixture
def assistant(make_user: MakeUser, therapist: PracticeUser) -> PracticeUser:
    """A PTA supervised by `therapist`, granted finish SOAP notes."""
    return make_user(
        UserCategory.ASSISTANT,
        "Amy Brooks",
        add=frozenset({"finish_notes"}),
        supervising_therapist_id=therapist.id,
    )


@pytest.fixture
def student(make_user: MakeUser, therapist: PracticeUser) -> PracticeUser:
    return make_user(UserCategory.STUDENT, "Sam Stone", supervising_therapist_id=therapist.id)


@pytest.fixture
def start_draft(now: datetime) -> Callable[[PracticeUser], Note]:
    def start(author: PracticeUser) -> Note:
        return start_note(
            note_id=str(uuid.uuid4()),
            patient_id="patient-1",
            case_id="case-1",
            kind=NoteKind.DAILY_NOTE,
            author=author,
            date_of_service=date(2025, 3, 14),
            now=now,
        )

    return start

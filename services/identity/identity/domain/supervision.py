"""Who may supervise whom: an assistant or student works under an active therapist.

The notes service's finalization gate reads the supervisor from identity's events, so an
assistant whose supervisor is set (at invitation, acceptance, addition or later) can
finalize, and one without is told so by the gate.
"""

from __future__ import annotations

from identity.domain.catalog import ASSISTANT, STUDENT, THERAPIST, UserTypeCatalog
from identity.domain.errors import InvalidRequest
from identity.domain.users import User

SUPERVISED = frozenset({ASSISTANT, STUDENT})


def require_supervisor_fits(
    user_type: str, supervisor_id: str | None, supervisor: User | None, *,
    practice_id: str, catalog: UserTypeCatalog, user_id: str | None = None,
) -> None:
    """``supervisor`` is the user ``supervisor_id`` names (None if there is no such user)."""
    if supervisor_id is None:
        return
    if catalog.get(user_type).category not in SUPERVISED:
        raise InvalidRequest(
            "Only assistants and students have a supervising therapist; leave it empty for "
            f"a {user_type}.", {"field": "supervising_therapist_id", "user_type": user_type})
    if (supervisor is None or supervisor.practice_id != practice_id or not supervisor.active
            or supervisor.id == user_id or not supervisor.user_type
            or catalog.get(supervisor.user_type).category != THERAPIST):
        raise InvalidRequest(
            "The supervising therapist must be an active therapist of your practice. Pick "
            "one from the practice's therapists.",
            {"supervising_therapist_id": supervisor_id})

"""Who is calling a use case: the token's facts, and the practice user the projection knows."""

from __future__ import annotations

from dataclasses import dataclass

from notes.adapters.projection import DEACTIVATED, IdentityProjection
from notes.domain.users import PracticeUser
from notes.service_layer.errors import AccountNotKnown
from servicekit.messaging.envelope import Actor


@dataclass(frozen=True)
class Caller:
    user_id: str
    org_id: str
    kind: str
    email: str | None
    user_type: str | None
    permissions: frozenset[str]

    @property
    def actor(self) -> Actor:
        return Actor(id=self.user_id, email=self.email, kind=self.kind, user_type=self.user_type)


def load_practice_user(projection: IdentityProjection, caller: Caller) -> PracticeUser:
    """The caller as a PracticeUser: name, category and supervisor from the projection.

    Permissions come from the token: the app already refused tokens older than the projected
    permission version, so the token's are at least as fresh as the projection's.
    """
    row = projection.user_row(caller.user_id)
    user = projection.practice_user(caller.org_id, caller.user_id)
    if user is None or row is None or row["status"] == DEACTIVATED:
        raise AccountNotKnown(
            "The notes service does not know your account yet (or it was deactivated); try "
            "again in a minute, and ask a User Manager if it keeps happening.",
            {"user_id": caller.user_id})
    return PracticeUser(
        id=user.id, full_name=user.full_name, user_type=user.user_type, category=user.category,
        permissions=caller.permissions, permission_version=user.permission_version,
        supervising_therapist_id=user.supervising_therapist_id)

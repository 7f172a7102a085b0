"""Who is calling a use case, and the event actor that stands for them."""

from __future__ import annotations

from dataclasses import dataclass

from identity.adapters.repository import IdentityRepository
from identity.domain.errors import NotAllowed
from identity.domain.users import Actor, User
from servicekit.messaging.envelope import Actor as EventActor


@dataclass(frozen=True)
class Caller:
    """The signed-in user from the access token, and the clinic they act from."""

    user_id: str
    org_id: str
    acting_clinic_id: str | None = None


def load_actor(repo: IdentityRepository, caller: Caller) -> Actor:
    """The caller as stored now: the token proves who it is, the database what it may do."""
    user = repo.user(caller.org_id, caller.user_id)
    if user is None:
        raise NotAllowed("Your account no longer exists in this practice. Sign in again.")
    if caller.acting_clinic_id and caller.acting_clinic_id not in repo.clinic_ids_of(user):
        raise NotAllowed("You can only act from a clinic you work at. Pick one of yours.",
                         {"acting_clinic_id": caller.acting_clinic_id})
    return Actor(user, caller.acting_clinic_id or user.default_clinic_id)


def event_actor(user: User) -> EventActor:
    return EventActor(id=user.id, email=user.email, kind=user.kind.value, user_type=user.user_type)


SYSTEM = EventActor(id="identity-cli", kind="system")

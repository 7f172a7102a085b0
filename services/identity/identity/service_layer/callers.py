"""Who is calling a use case, and the event actor that stands for them."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime

from identity.adapters.repository import IdentityRepository
from identity.adapters.vendor_directory import VendorDirectory
from identity.domain.errors import NotAllowed
from identity.domain.grants import VendorAccessGrant
from identity.domain.users import Actor, User, UserKind
from identity.service_layer.errors import NoActiveAccessGrant
from servicekit.messaging.envelope import Actor as EventActor


@dataclass(frozen=True)
class Caller:
    """The signed-in user from the access token, and the clinic they act from."""

    user_id: str
    org_id: str
    acting_clinic_id: str | None = None


def load_actor(repo: IdentityRepository, caller: Caller, now: datetime | None = None) -> Actor:
    """The caller as stored now: the token proves who it is, the database what it may do."""
    user = repo.user(caller.org_id, caller.user_id)
    if user is None:
        return _supported_vendor(repo, caller, now or datetime.now(UTC))
    if caller.acting_clinic_id and caller.acting_clinic_id not in repo.clinic_ids_of(user):
        raise NotAllowed("You can only act from a clinic you work at. Pick one of yours.",
                         {"acting_clinic_id": caller.acting_clinic_id})
    return Actor(user, caller.acting_clinic_id or user.default_clinic_id)


def _supported_vendor(repo: IdentityRepository, caller: Caller, now: datetime) -> Actor:
    """A vendor employee acts in a practice only while a grant covers them: checked on
    every request, so a grant that ended or was revoked stops a token at once."""
    user = repo.user_by_id(caller.user_id)
    if user is None or user.kind is not UserKind.VENDOR:
        raise NotAllowed("Your account no longer exists in this practice. Sign in again.")
    grant = require_active_grant(repo, user, caller.org_id, now)
    if caller.acting_clinic_id and repo.clinic(caller.org_id, caller.acting_clinic_id) is None:
        raise NotAllowed("You can only act from a clinic of the practice you support.",
                         {"acting_clinic_id": caller.acting_clinic_id})
    # Inside the practice the vendor acts as one of its profiles, under the grant.
    return Actor(replace(user, practice_id=caller.org_id), caller.acting_clinic_id, grant)


def require_active_grant(repo: IdentityRepository, user: User, practice_id: str,
                         now: datetime) -> VendorAccessGrant:
    directory = VendorDirectory(repo.session)
    in_directory = user.active and directory.member(user.id) is not None
    grant = directory.active_grant(user.id, practice_id, now) if in_directory else None
    if grant is None:
        raise NoActiveAccessGrant(
            "You have no active access grant for this practice (it ended or was revoked). "
            "Ask a vendor support admin for a grant with a purpose and an end time.",
            {"practice_id": practice_id})
    return grant


def event_actor(user: User) -> EventActor:
    return EventActor(id=user.id, email=user.email, kind=user.kind.value, user_type=user.user_type)


SYSTEM = EventActor(id="identity-cli", kind="system")

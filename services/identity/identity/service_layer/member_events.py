"""identity.user.created, built in one place for the three ways someone joins a practice:
an owner signing up, a User Manager adding them, an invitee accepting."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from identity.domain.staff_roles import StaffRole
from identity.domain.users import User
from identity.events.users import USER_CREATED
from servicekit.messaging.envelope import Actor, Event, Subject


@dataclass(frozen=True)
class HowJoined:
    """How the member joined, beyond who they are."""

    role: StaffRole | None = None  # the role an Admin gave, if any
    owner: bool = False  # the owner of a new practice
    email_domain_recognized: bool | None = None  # None: not judged (the owner)
    permission_level: str | None = None  # an invitee's
    invitation_id: str | None = None  # an invitee's


def user_created(user: User, actor: Actor, *, permissions: Iterable[str],
                 clinics: Iterable[str], supervisor_id: str | None, joined: HowJoined) -> Event:
    data: dict[str, object] = {
        "email": user.email, "full_name": user.full_name, "user_type": user.user_type,
        "kind": user.kind.value, "status": "active", "permissions": sorted(permissions),
        "clinics": list(clinics), "permission_version": user.permission_version,
        "supervising_therapist_id": supervisor_id,
    }
    if joined.owner:
        data["role"] = "owner"
    if joined.email_domain_recognized is not None:
        data["email_domain_recognized"] = joined.email_domain_recognized
    if joined.role is not None:
        role = joined.role
        data.update({"practice_role": role.role.value,
                     "clinical_role": role.clinical_role.value if role.clinical_role else None,
                     "practitioner_id": role.practitioner_id})
    if joined.permission_level is not None:
        data["permission_level"] = joined.permission_level
    if joined.invitation_id is not None:
        data["invitation_id"] = joined.invitation_id
    return USER_CREATED.event(subject=Subject("user", user.id), org_id=user.practice_id,
                              actor=actor, data=data)

"""Use cases for practices."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from identity.adapters.password_hashing import PasswordHashing
from identity.adapters.repository import IdentityRepository
from identity.adapters.tables import clinics, practices
from identity.domain.automation import automation_profile
from identity.domain.catalog import DENTAL, UserTypeCatalog, load_catalog
from identity.domain.clinics import DEFAULT_TIME_ZONE, valid_time_zone
from identity.domain.errors import IdentityError
from identity.domain.passwords import check_password
from identity.domain.permissions import PERMISSIONS, VIEW_AUDIT, PermissionOverrides
from identity.domain.practices import practice_model
from identity.domain.roles import PermissionLevel, PracticeRole
from identity.domain.staff_roles import level_grants
from identity.domain.users import User
from identity.events.practices import PRACTICE_CREATED
from identity.service_layer.callers import SYSTEM
from identity.service_layer.member_events import HowJoined, user_created
from identity.service_layer.sessions import issue_password_setup
from servicekit.db import UnitOfWork
from servicekit.messaging.envelope import Subject

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
DOMAIN = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$")
DEFAULT_USER_TYPE = "PT"
DEFAULT_SEATS = 5


class InvalidPractice(ValueError):
    pass


@dataclass(frozen=True)
class PracticeCreated:
    practice_id: str
    owner_id: str
    clinic_id: str = ""
    automation_profile_id: str = ""
    password_setup_token: str | None = None  # None when the owner's password was given


def create_practice(
    uow: UnitOfWork, *, name: str, owner_email: str, owner_name: str | None = None,
    seats: int = DEFAULT_SEATS, domains: Sequence[str] = (), owner_password: str | None = None,
    catalog: UserTypeCatalog | None = None, vendor_name: str = "Clinic Platform",
    vendor_domain: str = "clinicplatform.example", hashing: PasswordHashing | None = None,
    model: str | None = None, time_zone: str = DEFAULT_TIME_ZONE,
) -> PracticeCreated:
    """Create a practice, its first clinic, its owner (a User Manager) and automation profile.

    The model (therapy, the default, or dental) decides the owner's user type: PT, or the
    dental Practice Manager type with the Admin level's permissions and view_audit. The first
    clinic shows its times in ``time_zone`` (an IANA name; a User Manager can change it).

    Emits practice.created (which carries the first clinic and the automation profile: they
    are born with the practice) and user.created for the owner.
    """
    catalog = catalog or load_catalog()
    model = practice_model(model)
    time_zone = _first_clinic_time_zone(time_zone)
    name = name.strip()
    owner_email = owner_email.strip()
    if not name or len(name) > 200:
        raise InvalidPractice("Give the practice a name of 1 to 200 characters.")
    if not EMAIL.match(owner_email):
        raise InvalidPractice("Give the owner's email address, like owner@example.com.")
    if seats < 1:
        raise InvalidPractice("A practice needs at least one licensed seat.")
    recognized = sorted({d.strip().lower().lstrip("@") for d in domains if d.strip()}
                        or {owner_email.rpartition("@")[2].lower()})
    bad = [d for d in recognized if not DOMAIN.match(d)]
    if bad:
        raise InvalidPractice(f"Not an email domain: {', '.join(bad)}.")
    if owner_password is not None:
        check_password(owner_password, practice_name=name, email=owner_email)
    now = datetime.now(UTC)
    practice_id, owner_id, clinic_id = (str(uuid.uuid4()) for _ in range(3))
    owner_type, granted = _owner_type_and_grants(model, catalog)
    owner = User(
        id=owner_id, practice_id=practice_id, email=owner_email.lower(),
        full_name=owner_name or owner_email.split("@", 1)[0], user_type=owner_type,
        default_clinic_id=clinic_id, overrides=PermissionOverrides(granted),
    )
    robot = automation_profile(
        user_id=str(uuid.uuid4()), practice_id=practice_id, vendor_name=vendor_name,
        vendor_domain=vendor_domain, catalog=catalog,
    )
    with uow:
        repo = IdentityRepository(uow.session)
        uow.session.execute(practices.insert().values(
            id=practice_id, name=name, created_at=now, licensed_seats=seats,
            recognized_domains=recognized, model=model,
        ))
        uow.session.execute(clinics.insert().values(
            id=clinic_id, org_id=practice_id, name=name, assistants_may_finalize=True,
            created_at=now, time_zone=time_zone,
        ))
        repo.add_user(owner, now, clinic_ids=[clinic_id])
        repo.add_user(robot, now)
        token = None
        if owner_password is not None:
            repo.set_password_hash(owner_id, (hashing or PasswordHashing()).hash(owner_password))
        else:
            token = issue_password_setup(uow, owner_id, now)
        uow.publish(PRACTICE_CREATED.event(
            subject=Subject("practice", practice_id),
            org_id=practice_id, actor=SYSTEM, data={
                "name": name, "model": model, "owner_id": owner_id, "licensed_seats": seats,
                "recognized_domains": recognized,
                "clinics": [{"id": clinic_id, "name": name, "assistants_may_finalize": True,
                             "time_zone": time_zone}],
                "automation_profile": {"id": robot.id, "email": robot.email,
                                       "full_name": robot.full_name, "kind": "automation",
                                       "user_type": robot.user_type},
            },
        ))
        uow.publish(user_created(owner, SYSTEM, permissions=owner.permissions(catalog),
                                 clinics=[clinic_id], supervisor_id=None,
                                 joined=HowJoined(owner=True)))
        uow.commit()
    return PracticeCreated(practice_id, owner_id, clinic_id, robot.id, token)


def _owner_type_and_grants(model: str, catalog: UserTypeCatalog) -> tuple[str, frozenset[str]]:
    if model == DENTAL:
        manager = catalog.type_for_role(DENTAL, PracticeRole.OWNER_MANAGER.value, None)
        if manager is None:
            raise InvalidPractice("The user type catalog has no dental Practice Manager type.")
        grants = level_grants(manager, PermissionLevel.ADMIN) | {VIEW_AUDIT}
        return manager.code, frozenset(grants - manager.default_permissions)
    # A therapy owner runs the practice: every permission, manage_users and view_audit too.
    return DEFAULT_USER_TYPE, PERMISSIONS - catalog.default_permissions(DEFAULT_USER_TYPE)


def _first_clinic_time_zone(name: str) -> str:
    try:
        return valid_time_zone(name)
    except IdentityError as err:
        raise InvalidPractice(err.message) from None

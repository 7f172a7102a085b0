"""What the User Manager's console reads: the practice's profiles, each with whether the
practice recognizes it, and the choices its forms offer (clinics, therapists, user types).

Only a User Manager reads it. The changes themselves go through the same use cases as the
API (users, user_lifecycle, invitations).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from identity.adapters.repository import IdentityRepository
from identity.adapters.vendor_directory import VendorDirectory
from identity.domain import profile_rules
from identity.domain.catalog import AUTOMATION, THERAPIST, UserType, UserTypeCatalog
from identity.domain.clinics import Clinic
from identity.domain.grants import VendorAccessGrant
from identity.domain.practices import Practice
from identity.domain.profile_recognition import ProfileRecognition, recognize_profile
from identity.domain.users import Actor, User, UserKind
from identity.service_layer.callers import Caller, load_actor
from identity.service_layer.errors import NotFoundInPractice
from identity.service_layer.users import UserView, view_of
from servicekit.db import UnitOfWork


@dataclass(frozen=True)
class ConsoleProfile:
    user: User
    recognition: ProfileRecognition
    view: UserView | None = None  # None for vendor employees (no profile of the practice)


@dataclass(frozen=True)
class ConsoleChoices:
    clinics: list[Clinic]
    therapists: list[User]  # active therapists: who may supervise
    user_types: list[UserType]  # the practice model's types a person may be given
    acting_clinic_ids: tuple[str, ...]  # the manager's own clinics, to act from


@dataclass(frozen=True)
class UserConsole:
    practice: Practice
    manager: User
    profiles: list[ConsoleProfile]
    choices: ConsoleChoices


def user_console(uow: UnitOfWork, caller: Caller, *, catalog: UserTypeCatalog,
                 vendor_domain: str, now: datetime) -> UserConsole:
    """Every profile of the practice and every vendor employee under an active grant."""
    with uow:
        repo = IdentityRepository(uow.session)
        actor = _user_manager(repo, caller, catalog, now)
        practice = repo.practice(caller.org_id)
        grants = VendorDirectory(uow.session).grants(practice_id=caller.org_id)
        profiles = [ConsoleProfile(u, recognize_profile(u, practice, vendor_domain=vendor_domain,
                                                        grants=grants, now=now),
                                   view_of(repo, u, catalog, True))
                    for u in repo.users_of(caller.org_id)]
        profiles += _vendor_staff(uow, practice, [g for g in grants if g.is_active(now)],
                                  vendor_domain, now)
        return UserConsole(practice, actor.user, profiles, _choices(repo, actor, catalog,
                                                                     practice))


def console_profile(uow: UnitOfWork, caller: Caller, user_id: str, *,
                    catalog: UserTypeCatalog, vendor_domain: str, now: datetime
                    ) -> tuple[ConsoleProfile, UserConsole]:
    """One profile (a vendor employee too, while any grant into the practice names them)."""
    console = user_console(uow, caller, catalog=catalog, vendor_domain=vendor_domain, now=now)
    found = next((p for p in console.profiles if p.user.id == user_id), None)
    if found is None:
        found = _past_vendor_staff(uow, caller, user_id, console.practice, vendor_domain, now)
    return found, console


def _user_manager(repo: IdentityRepository, caller: Caller, catalog: UserTypeCatalog,
                  now: datetime) -> Actor:
    actor = load_actor(repo, caller, now)
    profile_rules.require_may_act(actor, caller.org_id, now)
    profile_rules.require_user_manager(actor, catalog)
    return actor


def _vendor_staff(uow: UnitOfWork, practice: Practice, grants: list[VendorAccessGrant],
                  vendor_domain: str, now: datetime) -> list[ConsoleProfile]:
    people = VendorDirectory(uow.session).people({g.user_id for g in grants})
    found: dict[str, ConsoleProfile] = {}
    for grant in grants:
        if grant.user_id in found or grant.user_id not in people:
            continue
        email, full_name = people[grant.user_id]
        user = User(grant.user_id, practice.id, email, full_name, "", kind=UserKind.VENDOR)
        found[user.id] = ConsoleProfile(user, recognize_profile(
            user, practice, vendor_domain=vendor_domain, grants=grants, now=now))
    return sorted(found.values(), key=lambda p: p.user.full_name)


def _past_vendor_staff(uow: UnitOfWork, caller: Caller, user_id: str, practice: Practice,
                       vendor_domain: str, now: datetime) -> ConsoleProfile:
    with uow:
        directory = VendorDirectory(uow.session)
        grants = directory.grants(practice_id=caller.org_id, user_id=user_id)
        people = directory.people({user_id}) if grants else {}
    if user_id not in people:
        raise NotFoundInPractice("There is no such user in your practice.", {"user_id": user_id})
    email, full_name = people[user_id]
    user = User(user_id, practice.id, email, full_name, "", kind=UserKind.VENDOR, active=False)
    return ConsoleProfile(user, recognize_profile(user, practice, vendor_domain=vendor_domain,
                                                  grants=grants, now=now))


def _choices(repo: IdentityRepository, actor: Actor, catalog: UserTypeCatalog,
             practice: Practice) -> ConsoleChoices:
    therapists = [u for u in repo.users_of(practice.id)
                  if u.active and u.user_type and u.kind is UserKind.STAFF
                  and catalog.get(u.user_type).category == THERAPIST]
    types = [t for t in catalog.of_model(practice.model) if t.category != AUTOMATION]
    return ConsoleChoices(repo.clinics_of(practice.id), therapists, types,
                          repo.clinic_ids_of(actor.user))

"""A staff member a User Manager adds directly (POST /users): their type, role and record.

The practice's model decides the vocabulary, as for invitations: a dental practice's new
member gets the dental type of their role and clinical role (or a dental type the Admin
picks), never the therapy default (PT). A practitioner is linked to a practitioner record
at once, by the same duplicate rule as an invitation (practitioners.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from identity.domain.catalog import DENTAL, UserTypeCatalog
from identity.domain.errors import InvalidRequest
from identity.domain.invitations import InvitationRequest, invited_type, require_clinical_role_fits
from identity.domain.practitioners import (
    Candidate,
    PendingPractitioner,
    Practitioner,
    PractitionerLink,
    choose_practitioner,
)
from identity.domain.roles import ClinicalRole, PracticeRole
from identity.domain.staff_roles import StaffRole


@dataclass(frozen=True)
class AddedStaff:
    """What the Admin says about the person beyond name and email."""

    user_type: str | None = None
    role: PracticeRole | None = None
    clinical_role: ClinicalRole | None = None
    practitioner_id: str | None = None
    confirm_new_practitioner: bool = False


@dataclass(frozen=True)
class Placement:
    """The type and (if known) role of the new member, the record to link, or duplicates."""

    user_type: str
    role: StaffRole | None
    practitioner: PractitionerLink | None = None
    possible_duplicates: tuple[Candidate, ...] = ()

    @property
    def needs_decision(self) -> bool:
        return bool(self.possible_duplicates)


def place_added_staff(
    full_name: str, added: AddedStaff, *, catalog: UserTypeCatalog, practice_model: str,
    practitioners: Iterable[Practitioner], pending: Iterable[PendingPractitioner] = (),
) -> Placement:
    role, clinical = _role_of(added, catalog, practice_model)
    if role is None:  # a therapy practice's member without a role: the type alone, as before
        if added.practitioner_id is not None:
            raise InvalidRequest("Only practitioners are linked to a practitioner record; "
                                 "say practice_role: practitioner.",
                                 {"field": "practitioner_id"})
        return Placement(invited_type(added.user_type, role, clinical, catalog,
                                      practice_model), None)
    user_type = invited_type(added.user_type, role, clinical, catalog, practice_model)
    staff_role = StaffRole(role, clinical)
    if role is not PracticeRole.PRACTITIONER:
        if added.practitioner_id is not None:
            raise InvalidRequest("Only practitioners are linked to a practitioner record.",
                                 {"field": "practitioner_id"})
        return Placement(user_type, staff_role)
    choice = choose_practitioner(full_name, practitioners, pending=pending,
                                 existing_id=added.practitioner_id,
                                 confirm_new=added.confirm_new_practitioner)
    return Placement(user_type, staff_role, choice.link, choice.possible_duplicates)


def _role_of(added: AddedStaff, catalog: UserTypeCatalog, practice_model: str
             ) -> tuple[PracticeRole | None, ClinicalRole | None]:
    if added.role is not None:
        require_clinical_role_fits(InvitationRequest("", "", added.role,
                                                     clinical_role=added.clinical_role))
        return added.role, added.clinical_role
    if added.clinical_role is not None:
        raise InvalidRequest("A clinical role goes with practice_role: practitioner.",
                             {"field": "clinical_role"})
    if added.user_type is not None and added.user_type in catalog:
        chosen = catalog.get(added.user_type)
        if chosen.practice_role is not None and chosen.practice_model == practice_model:
            clinical = chosen.clinical_role
            return (PracticeRole(chosen.practice_role),
                    ClinicalRole(clinical) if clinical else None)
    if practice_model == DENTAL and added.user_type is None:
        raise InvalidRequest(
            "Say the person's role in the practice (practice_role: owner_manager, "
            "practitioner or front_desk; a practitioner also a clinical_role), or pick a "
            "dental user_type.", {"field": "practice_role"})
    return None, None

"""Getting started from an invitation: the invitee confirms what the Admin wrote.

The invitee checks their name and, as a practitioner, their clinical role and the
practitioner record they are (an existing one, or a new one with their name). A new record
whose name matches an existing one waits for an explicit "this is a different person", as it
does for the Admin (practitioners.py). The user type follows a changed clinical role only
where the Admin left it to the role's default: a type the Admin chose stays theirs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from identity.domain.catalog import UserTypeCatalog
from identity.domain.errors import InvalidRequest
from identity.domain.invitations import Invitation, default_user_type
from identity.domain.practitioners import Candidate, Practitioner, choose_practitioner
from identity.domain.roles import ClinicalRole, PracticeRole


@dataclass(frozen=True)
class ProfileConfirmation:
    """What the invitee sends; practitioner fields are ignored for other roles."""

    full_name: str
    clinical_role: ClinicalRole | None = None
    practitioner_id: str | None = None  # link this existing record
    confirm_new_practitioner: bool = False  # "a different person with the same name"


@dataclass(frozen=True)
class ConfirmedProfile:
    """Either the invitation as the invitee confirmed it, or records to decide between."""

    invitation: Invitation | None
    possible_duplicates: tuple[Candidate, ...] = ()


def confirm_profile(
    invitation: Invitation, confirmation: ProfileConfirmation, *,
    practitioners: Iterable[Practitioner], catalog: UserTypeCatalog,
) -> ConfirmedProfile:
    full_name = " ".join(confirmation.full_name.split())
    if not full_name:
        raise InvalidRequest("Enter your name as your colleagues should see it.",
                             {"field": "full_name"})
    if invitation.role is not PracticeRole.PRACTITIONER:
        return ConfirmedProfile(replace(invitation, full_name=full_name))
    clinical_role = confirmation.clinical_role or invitation.clinical_role
    if clinical_role is None:
        raise InvalidRequest("Choose your clinical role.", {"field": "clinical_role"})
    choice = choose_practitioner(
        full_name, practitioners, existing_id=confirmation.practitioner_id,
        confirm_new=confirmation.confirm_new_practitioner, invitation_id=invitation.id)
    if choice.needs_decision:
        return ConfirmedProfile(None, choice.possible_duplicates)
    return ConfirmedProfile(replace(
        invitation, full_name=full_name, clinical_role=clinical_role,
        user_type=_user_type(invitation, clinical_role, catalog), practitioner=choice.link))


def _user_type(invitation: Invitation, clinical_role: ClinicalRole,
               catalog: UserTypeCatalog) -> str:
    model = catalog.get(invitation.user_type).practice_model
    chosen_by_default = invitation.user_type == default_user_type(
        invitation.role, invitation.clinical_role, catalog, model)
    if chosen_by_default:
        return default_user_type(invitation.role, clinical_role, catalog, model)
    return invitation.user_type

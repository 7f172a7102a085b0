"""An invitation without a user type gets the type its practice role (and clinical role)
points to in the catalog, or the catalog's default (PT) when none does."""

from __future__ import annotations

import json

import pytest

from identity.domain.catalog import CATALOG_FILE, catalog_from_data
from identity.domain.invitations import InvitationRequest, default_user_type, invite_staff
from identity.domain.roles import ClinicalRole, PracticeRole
from identity.domain.seats import SeatUsage

ROOM = SeatUsage(licensed=5, active_staff=1)


def with_types(*extra: dict):
    """The shipped catalog plus some types a dental deployment could add."""
    raw = json.loads(CATALOG_FILE.read_text(encoding="utf-8"))
    base = {"discipline": None, "default_permissions": ["view_patients"], "cpt_codes": [],
            "counts_toward_seats": True, "may_bill": False, "may_write_notes": False}
    raw["user_types"] += [{**base, **t} for t in extra]
    return catalog_from_data(raw)


def invited_type(actor, catalog, now, role, clinical_role=None, user_type=None) -> str:
    outcome = invite_staff(
        actor, InvitationRequest("Sam Lee", "sam.lee@harbour.example", role,
                                 clinical_role=clinical_role, user_type=user_type),
        invitation_id="inv-1", catalog=catalog, seats=ROOM, practitioners=(), now=now)
    assert outcome.invitation is not None
    return outcome.invitation.user_type


def test_front_desk_gets_the_clerical_front_office_type(manager, catalog, now):
    assert invited_type(manager, catalog, now, PracticeRole.FRONT_DESK) == "Front Office"
    assert catalog.get("Front Office").category == "clerical"


def test_an_owner_or_manager_gets_the_default_type_when_the_catalog_has_no_manager_type(
    manager, catalog, now
):
    assert invited_type(manager, catalog, now, PracticeRole.OWNER_MANAGER) == "PT"


def test_an_owner_or_manager_gets_the_office_manager_type_when_there_is_one(manager, now):
    catalog = with_types({"code": "OM", "name": "Office Manager", "category": "clerical"})
    assert invited_type(manager, catalog, now, PracticeRole.OWNER_MANAGER) == "OM"


@pytest.mark.parametrize("clinical_role", list(ClinicalRole))
def test_a_practitioner_gets_the_default_type_when_no_type_fits_the_clinical_role(
    manager, catalog, now, clinical_role
):
    assert invited_type(manager, catalog, now, PracticeRole.PRACTITIONER, clinical_role) == "PT"


def test_a_practitioner_gets_the_type_of_their_clinical_role_when_one_maps(manager, now):
    catalog = with_types(
        {"code": "DDS", "name": "Dentist", "category": "therapist", "may_bill": True,
         "may_write_notes": True, "default_permissions": ["view_patients", "start_notes"]},
        {"code": "RDH", "name": "Dental Hygienist", "category": "assistant",
         "may_write_notes": True, "default_permissions": ["view_patients", "start_notes"]},
    )
    by_role = {role: invited_type(manager, catalog, now, PracticeRole.PRACTITIONER, role)
               for role in ClinicalRole}
    assert by_role == {ClinicalRole.DENTIST: "DDS", ClinicalRole.HYGIENIST: "RDH",
                       ClinicalRole.ORAL_HEALTH_THERAPIST: "PT", ClinicalRole.OTHER: "PT"}


def test_a_chosen_user_type_wins_over_the_roles_default(manager, catalog, now):
    assert invited_type(manager, catalog, now, PracticeRole.FRONT_DESK,
                        user_type="Billing") == "Billing"


def test_the_automation_type_is_never_a_roles_default(catalog):
    for role in PracticeRole:
        assert catalog.get(default_user_type(role, None, catalog)).category != "automation"

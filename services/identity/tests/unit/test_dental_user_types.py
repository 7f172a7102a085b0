"""A dental practice's people: each role and clinical role is a user type of its own, with
manual billing codes, never a therapy type (DOMAIN.md, "Invitations and roles")."""

import copy
import json

import pytest

from identity.domain.catalog import CATALOG_FILE, catalog_from_data
from identity.domain.errors import CatalogInvalid, InvalidRequest
from identity.domain.invitation_lifecycle import user_from_invitation
from identity.domain.invitations import InvitationRequest, default_user_type, invite_staff
from identity.domain.roles import ClinicalRole, PermissionLevel, PracticeRole
from identity.domain.seats import SeatUsage

ROOM = SeatUsage(licensed=5, active_staff=1)
DENTAL_TYPES = {
    (PracticeRole.PRACTITIONER, ClinicalRole.DENTIST): "Dentist",
    (PracticeRole.PRACTITIONER, ClinicalRole.HYGIENIST): "Hygienist",
    (PracticeRole.PRACTITIONER, ClinicalRole.ORAL_HEALTH_THERAPIST): "Oral Health Therapist",
    (PracticeRole.PRACTITIONER, ClinicalRole.OTHER): "Other practitioner",
    (PracticeRole.FRONT_DESK, None): "Front Desk",
    (PracticeRole.OWNER_MANAGER, None): "Practice Manager",
}
PRACTITIONER_TYPES = ["Dentist", "Hygienist", "Oral Health Therapist", "Other practitioner"]


def invite(actor, catalog, now, role, clinical=None, *, model="dental", user_type=None,
           level=None):
    outcome = invite_staff(
        actor, InvitationRequest("Sam Lee", "sam.lee@smile.example", role, permission_level=level,
                                 clinical_role=clinical, user_type=user_type,
                                 confirm_new_practitioner=True),
        invitation_id="inv-1", catalog=catalog, seats=ROOM, practitioners=(), now=now,
        practice_model=model)
    assert outcome.invitation is not None
    return outcome.invitation


@pytest.mark.parametrize(("role", "clinical"), list(DENTAL_TYPES))
def test_each_dental_role_and_clinical_role_maps_to_a_type_of_its_own(
    manager, catalog, now, role, clinical
):
    invitation = invite(manager, catalog, now, role, clinical)
    assert invitation.user_type == DENTAL_TYPES[(role, clinical)]
    assert catalog.get(invitation.user_type).practice_model == "dental"


def test_no_two_dental_roles_share_a_type_and_none_is_a_therapy_type(catalog):
    types = [default_user_type(role, clinical, catalog, "dental")
             for role, clinical in DENTAL_TYPES]
    assert len(set(types)) == len(types)
    assert not set(types) & {t.code for t in catalog.of_model("therapy")}


@pytest.mark.parametrize("code", PRACTITIONER_TYPES)
def test_dental_practitioners_write_notes_with_billing_codes_entered_by_hand(catalog, code):
    practitioner = catalog.get(code)
    assert practitioner.cpt_codes == () and practitioner.billing_codes == "manual"
    assert practitioner.may_write_notes and practitioner.may_bill
    assert practitioner.category == "therapist" and practitioner.discipline == "dentistry"
    assert {"start_notes", "forward_notes", "finish_notes"} <= practitioner.default_permissions


@pytest.mark.parametrize("code", ["Front Desk", "Practice Manager"])
def test_dental_office_staff_write_no_notes_and_bill_nothing(catalog, code):
    office = catalog.get(code)
    assert office.category == "clerical" and office.billing_codes == "none"
    assert not office.may_write_notes and office.cpt_codes == ()
    assert not {"start_notes", "forward_notes", "finish_notes"} & office.default_permissions


@pytest.mark.parametrize("code", [*PRACTITIONER_TYPES, "Front Desk", "Practice Manager"])
def test_no_dental_type_deletes_transactions_or_edits_patient_records_by_default(catalog, code):
    # The seed gives editing patient records to Admins only; nothing gives anyone deleting
    # charges: a User Manager grants it to a person.
    defaults = catalog.get(code).default_permissions
    assert not {"delete_transactions", "edit_patients", "manage_users"} & defaults


def test_a_dental_admin_invitation_also_edits_patient_records(manager, catalog, now):
    invitation = invite(manager, catalog, now, PracticeRole.OWNER_MANAGER)
    assert invitation.permission_level is PermissionLevel.ADMIN
    joined = user_from_invitation(invitation, user_id="sam", catalog=catalog)
    assert {"manage_users", "edit_patients"} <= joined.permissions(catalog)
    assert "finish_notes" not in joined.permissions(catalog)


def test_a_dental_user_level_practitioner_does_not_edit_patient_records(manager, catalog, now):
    invitation = invite(manager, catalog, now, PracticeRole.PRACTITIONER, ClinicalRole.DENTIST)
    joined = user_from_invitation(invitation, user_id="sam", catalog=catalog)
    assert "edit_patients" not in joined.permissions(catalog)
    assert "manage_users" not in joined.permissions(catalog)


def test_a_dental_practice_refuses_a_therapy_type(manager, catalog, now):
    with pytest.raises(InvalidRequest, match="not a user type of a dental practice") as refused:
        invite(manager, catalog, now, PracticeRole.PRACTITIONER, ClinicalRole.DENTIST,
               user_type="PT")
    assert "Dentist" in refused.value.details["allowed"]


def test_a_therapy_practice_refuses_a_dental_type(manager, catalog, now):
    with pytest.raises(InvalidRequest, match="not a user type of a therapy practice"):
        invite(manager, catalog, now, PracticeRole.FRONT_DESK, model="therapy",
               user_type="Front Desk")


@pytest.mark.parametrize(("role", "clinical", "expected"), [
    (PracticeRole.FRONT_DESK, None, "Front Office"),
    (PracticeRole.OWNER_MANAGER, None, "PT"),
    (PracticeRole.PRACTITIONER, ClinicalRole.DENTIST, "PT"),
    (PracticeRole.PRACTITIONER, ClinicalRole.HYGIENIST, "PT"),
])
def test_a_therapy_practice_keeps_its_types_though_the_catalog_has_dental_ones(
    manager, catalog, now, role, clinical, expected
):
    assert invite(manager, catalog, now, role, clinical, model="therapy").user_type == expected


def _raw() -> dict:
    return json.loads(CATALOG_FILE.read_text())


def _dentist(raw: dict) -> dict:
    return next(t for t in raw["user_types"] if t["code"] == "Dentist")


@pytest.mark.parametrize(("mutate", "message"), [
    (lambda raw: _dentist(raw).update(cpt_codes=["97110"], billing_codes="catalog"),
     "lists no CPT codes"),
    (lambda raw: _dentist(raw).update(clinical_role="hygienist"), "same role"),
    (lambda raw: raw["user_types"][0].update(practice_role="practitioner"),
     "only dental types"),
    (lambda raw: _dentist(raw).update(billing_codes="none"), "does not fit"),
    (lambda raw: _dentist(raw).update(practice_model="veterinary"), "practice_model"),
])
def test_the_catalog_refuses_a_dental_entry_that_would_bill_or_map_wrongly(mutate, message):
    raw = copy.deepcopy(_raw())
    mutate(raw)
    with pytest.raises(CatalogInvalid, match=message):
        catalog_from_data(raw)

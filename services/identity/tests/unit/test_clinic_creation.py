"""A User Manager opens another clinic of the practice: a unique name, the usual defaults."""

from __future__ import annotations

import pytest

from identity.domain.clinics import Clinic, new_clinic
from identity.domain.errors import (
    InvalidRequest,
    NotAllowed,
    NotAUserManager,
    OutsidePractice,
    StateConflict,
)
from identity.domain.users import Actor

PRACTICE_ID = "practice-1"
HOME = Clinic(id="clinic-1", practice_id=PRACTICE_ID, name="Harbour Physio")


def open_clinic(actor, name, catalog, now, *, existing=(HOME,), settings=None) -> Clinic:
    return new_clinic(actor, PRACTICE_ID, name, existing, clinic_id="clinic-2",
                      settings=settings, catalog=catalog, now=now)


def test_a_user_manager_opens_a_clinic_of_their_practice(manager, catalog, now):
    clinic = open_clinic(manager, "Harbour Physio North", catalog, now)
    assert (clinic.id, clinic.practice_id, clinic.name) == (
        "clinic-2", PRACTICE_ID, "Harbour Physio North")


def test_the_name_is_trimmed(manager, catalog, now):
    assert open_clinic(manager, "  Harbour North \t", catalog, now).name == "Harbour North"


@pytest.mark.parametrize("name", ["", "   ", "\t\n"])
def test_a_clinic_needs_a_name(manager, catalog, now, name):
    with pytest.raises(InvalidRequest, match="name of 1 to 200 characters"):
        open_clinic(manager, name, catalog, now)


def test_a_name_of_200_characters_is_the_longest_allowed(manager, catalog, now):
    assert len(open_clinic(manager, "N" * 200, catalog, now).name) == 200
    with pytest.raises(InvalidRequest, match="name of 1 to 200 characters"):
        open_clinic(manager, "N" * 201, catalog, now)


@pytest.mark.parametrize("name", ["Harbour Physio", "harbour physio", "HARBOUR PHYSIO ",
                                  "  Harbour physio"])
def test_a_name_another_clinic_of_the_practice_uses_is_refused_whatever_the_case(
    manager, catalog, now, name
):
    with pytest.raises(StateConflict, match="Pick another name") as refused:
        open_clinic(manager, name, catalog, now)
    assert refused.value.details["clinic_id"] == HOME.id


def test_another_practices_clinic_does_not_take_the_name(manager, catalog, now):
    elsewhere = Clinic(id="clinic-9", practice_id="practice-2", name="Harbour North")
    assert open_clinic(manager, "Harbour North", catalog, now,
                       existing=(HOME, elsewhere)).name == "Harbour North"


def test_only_a_user_manager_opens_a_clinic(make_user, catalog, now):
    therapist = Actor(make_user("PT"), "clinic-1")
    with pytest.raises(NotAUserManager, match="Ask an Admin"):
        open_clinic(therapist, "Harbour North", catalog, now)


def test_a_user_manager_of_another_practice_cannot_open_one_here(make_user, catalog, now):
    stranger = Actor(make_user("PT", practice_id="practice-2", granted=("manage_users",)))
    with pytest.raises(OutsidePractice):
        open_clinic(stranger, "Harbour North", catalog, now)


def test_a_deactivated_user_manager_cannot_open_a_clinic(make_user, catalog, now):
    gone = Actor(make_user("PT", granted=("manage_users",), active=False), "clinic-1")
    with pytest.raises(NotAllowed, match="deactivated"):
        open_clinic(gone, "Harbour North", catalog, now)


def test_vendor_support_cannot_open_a_clinic(vendor_support, catalog, now):
    with pytest.raises(NotAUserManager):
        open_clinic(vendor_support, "Harbour North", catalog, now)


def test_a_new_clinic_has_the_first_clinics_default_settings(manager, catalog, now):
    first_clinic_defaults = Clinic(id="x", practice_id=PRACTICE_ID, name="x").settings()
    assert open_clinic(manager, "Harbour North", catalog, now).settings() == (
        first_clinic_defaults)
    assert first_clinic_defaults == {"assistants_may_finalize": True, "time_zone": "UTC"}


def test_a_new_clinic_may_start_with_assistant_finalization_off(manager, catalog, now):
    clinic = open_clinic(manager, "Harbour North", catalog, now,
                         settings={"assistants_may_finalize": False})
    assert clinic.assistants_may_finalize is False


@pytest.mark.parametrize("settings", [{"open_on_sundays": True},
                                      {"assistants_may_finalize": "yes"},
                                      {"time_zone": "EST"}, {"time_zone": "Narnia/Cair"},
                                      {"time_zone": True}])
def test_unknown_or_non_boolean_settings_are_refused(manager, catalog, now, settings):
    with pytest.raises(InvalidRequest):
        open_clinic(manager, "Harbour North", catalog, now, settings=settings)

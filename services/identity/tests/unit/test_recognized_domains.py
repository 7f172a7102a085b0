"""An Admin changes the practice's recognized email domains; the list is checked first."""

import pytest

from identity.domain.errors import InvalidRequest, NotAllowed, NotAUserManager
from identity.domain.recognized_domains import MOST_DOMAINS, change_recognized_domains
from identity.domain.users import Actor

VENDOR = "clinicplatform.example"


def change(actor, practice, domains, catalog, now):
    return change_recognized_domains(actor, practice, domains, vendor_domain=VENDOR,
                                     catalog=catalog, now=now)


def test_an_admin_replaces_the_domains_cleaned_of_case_at_signs_and_repeats(
        manager, practice, catalog, now):
    assert change(manager, practice, [" @HarbourPhysio.example", "harbourphysio.example",
                                      "harbour-north.example"], catalog, now) == frozenset(
        {"harbourphysio.example", "harbour-north.example"})


def test_someone_without_manage_users_cannot_change_them(make_user, practice, catalog, now):
    therapist = Actor(make_user("PT"), "clinic-1")
    with pytest.raises(NotAUserManager, match="Ask an Admin"):
        change(therapist, practice, ["harbour.example"], catalog, now)


def test_a_deactivated_admin_cannot_change_them(make_user, practice, catalog, now):
    gone = Actor(make_user("PT", granted=("manage_users",), active=False), "clinic-1")
    with pytest.raises(NotAllowed, match="deactivated"):
        change(gone, practice, ["harbour.example"], catalog, now)


@pytest.mark.parametrize("domains", [
    ["not a domain"], ["owner@harbour.example"], ["harbour"], ["-harbour.example"],
    ["harbour..example"], [("a" * 60 + ".") * 5 + "example"]])
def test_what_is_not_an_email_domain_is_refused(manager, practice, catalog, now, domains):
    with pytest.raises(InvalidRequest) as refused:
        change(manager, practice, domains, catalog, now)
    assert refused.value.details["field"] == "domains"


def test_at_least_one_domain_is_kept(manager, practice, catalog, now):
    with pytest.raises(InvalidRequest, match="at least one"):
        change(manager, practice, ["  "], catalog, now)


def test_at_most_twenty_domains(manager, practice, catalog, now):
    many = [f"site{i}.example" for i in range(MOST_DOMAINS + 1)]
    with pytest.raises(InvalidRequest, match=f"at most {MOST_DOMAINS}"):
        change(manager, practice, many, catalog, now)
    assert len(change(manager, practice, many[:MOST_DOMAINS], catalog, now)) == MOST_DOMAINS


def test_the_vendors_domain_is_never_the_practices(manager, practice, catalog, now):
    with pytest.raises(InvalidRequest, match="access grant"):
        change(manager, practice, ["harbour.example", "ClinicPlatform.example"], catalog, now)

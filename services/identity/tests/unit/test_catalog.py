import copy
import json

import pytest

from identity.domain.catalog import CATALOG_FILE, catalog_from_data, load_catalog
from identity.domain.errors import CatalogInvalid, UnknownUserType

DOMAIN_TYPES = {
    "therapist": {"PT", "OT", "SLP", "ATC", "DC", "RT"},
    "assistant": {"PTA", "COTA", "SLPA", "RTT"},
    "clerical": {"Front Office", "Billing"},
    "student": {"SPT", "SOT", "SSLP", "Tech Student"},
    "automation": {"Automation"},
}
# DOMAIN.md's table, plus share_documents for therapists and clerical staff.
EXPECTED_DEFAULTS = {
    "therapist": {
        "view_patients",
        "edit_patients",
        "start_notes",
        "forward_notes",
        "finish_notes",
        "delete_transactions",
        "share_documents",
    },
    "assistant": {"view_patients", "edit_patients", "start_notes", "forward_notes"},
    "clerical": {"view_patients", "edit_patients", "share_documents"},
    "student": {"view_patients", "edit_patients", "start_notes"},
    "automation": {"view_patients", "edit_patients"},
}


def raw_catalog() -> dict:
    return json.loads(CATALOG_FILE.read_text())


def test_catalog_holds_every_user_type_of_the_domain_in_its_category(catalog):
    by_category: dict[str, set[str]] = {}
    for user_type in catalog.of_model("therapy"):
        by_category.setdefault(user_type.category, set()).add(user_type.code)
    assert by_category == DOMAIN_TYPES


@pytest.mark.parametrize("code", sorted(code for codes in DOMAIN_TYPES.values() for code in codes))
def test_default_permissions_follow_the_domain_table(catalog, code):
    user_type = catalog.get(code)
    assert catalog.default_permissions(code) == EXPECTED_DEFAULTS[user_type.category]


def test_new_users_default_to_pt(catalog):
    assert catalog.default_code == "PT"
    assert catalog.default.code == "PT"


def test_only_the_automation_type_stays_off_the_seat_count(catalog):
    off_seats = {t.code for t in catalog if not t.counts_toward_seats}
    assert off_seats == {"Automation"}


def test_students_write_notes_but_clerical_and_automation_do_not(catalog):
    writers = {t.code for t in catalog if t.may_write_notes}
    assert DOMAIN_TYPES["student"] <= writers
    assert not writers & (DOMAIN_TYPES["clerical"] | DOMAIN_TYPES["automation"])
    assert not any(catalog.get(code).may_bill for code in DOMAIN_TYPES["student"])


@pytest.mark.parametrize(
    ("code", "required"),
    [
        ("PT", {"97110", "97112", "97140", "97161", "97162", "97163", "97164", "97530"}),
        ("OT", {"97165", "97166", "97167", "97168", "97530"}),
        ("SLP", {"92507", "92521", "92522", "92523", "92524"}),
        ("ATC", {"97169", "97170", "97171", "97172"}),
        ("DC", {"98940", "98941", "98942"}),
        ("RT", {"94640", "94664", "94667"}),
        ("PTA", {"97110", "97530"}),
    ],
)
def test_each_discipline_lists_its_cpt_codes(catalog, code, required):
    assert required <= set(catalog.get(code).cpt_codes)


def test_assistants_do_not_bill_evaluations(catalog):
    assert not {"97161", "97162", "97163", "97164"} & set(catalog.get("PTA").cpt_codes)
    assert not {"97165", "97166", "97167", "97168"} & set(catalog.get("COTA").cpt_codes)


def test_clerical_types_have_no_cpt_codes(catalog):
    assert catalog.get("Front Office").cpt_codes == ()
    assert catalog.get("Billing").cpt_codes == ()


def test_looking_up_an_unknown_type_names_the_known_ones(catalog):
    with pytest.raises(UnknownUserType) as refused:
        catalog.get("Orthodontist")
    assert "PT" in refused.value.details["known"]


def _broken(mutate) -> str:
    data = copy.deepcopy(raw_catalog())
    mutate(data)
    with pytest.raises(CatalogInvalid) as refused:
        catalog_from_data(data)
    return refused.value.message


def test_loader_refuses_an_unknown_permission():
    message = _broken(lambda d: d["user_types"][0]["default_permissions"].append("fly_planes"))
    assert "fly_planes" in message and "'PT'" in message


def test_loader_refuses_an_unknown_category():
    message = _broken(lambda d: d["user_types"][1].update(category="wizard"))
    assert "wizard" in message


def test_loader_refuses_a_duplicate_code():
    message = _broken(lambda d: d["user_types"].append(copy.deepcopy(d["user_types"][0])))
    assert "Duplicate" in message and "'PT'" in message


@pytest.mark.parametrize("bad", ["9711", "971100", "97A10", 97110])
def test_loader_refuses_a_badly_formed_cpt_code(bad):
    message = _broken(lambda d: d["user_types"][0]["cpt_codes"].append(bad))
    assert "CPT" in message


@pytest.mark.parametrize("power", ["manage_users", "view_audit"])
def test_loader_refuses_administrative_powers_as_defaults(power):
    message = _broken(lambda d: d["user_types"][0]["default_permissions"].append(power))
    assert power in message


def test_loader_refuses_note_permissions_for_a_type_that_cannot_write_notes():
    def give_front_office_notes(data):
        entry = next(t for t in data["user_types"] if t["code"] == "Front Office")
        entry["default_permissions"].append("start_notes")

    assert "may not write notes" in _broken(give_front_office_notes)


def test_loader_refuses_an_automation_type_that_takes_a_seat():
    def count_automation(data):
        entry = next(t for t in data["user_types"] if t["category"] == "automation")
        entry["counts_toward_seats"] = True

    assert "seats" in _broken(count_automation)


def test_loader_refuses_a_missing_default_type():
    assert "default_user_type" in _broken(lambda d: d.update(default_user_type="Wizard"))


def test_loader_refuses_a_missing_field():
    assert "may_bill" in _broken(lambda d: d["user_types"][0].pop("may_bill"))


def test_loader_refuses_an_unreadable_file(tmp_path):
    broken = tmp_path / "user_types.json"
    broken.write_text("{not json")
    with pytest.raises(CatalogInvalid, match="Cannot read"):
        load_catalog(broken)

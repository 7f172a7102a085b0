"""Drafts, versions, finalized notes, addenda and charges through the API."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.integration


def test_stale_version_is_refused_with_409(as_, practice, chart, start):
    therapist = as_(practice, "therapist")
    note = start(therapist, chart)
    saved = therapist.patch(f"/notes/{note['id']}", json={"version": 1, "subjective": "first"})
    assert saved.status_code == 200 and saved.get_json()["version"] == 2
    stale = therapist.patch(f"/notes/{note['id']}", json={"version": 1, "subjective": "second"})
    assert stale.status_code == 409
    assert stale.get_json()["error"]["code"] == "stale_note_version"
    assert therapist.get(f"/notes/{note['id']}").get_json()["subjective"] == "first"


def test_a_finalized_note_never_changes(as_, practice, chart, start):
    therapist = as_(practice, "therapist")
    note = start(therapist, chart, subjective="signed text")
    done = therapist.post(f"/notes/{note['id']}/finalize", json={"version": 1})
    assert done.status_code == 200
    version = done.get_json()["version"]
    edit = therapist.patch(f"/notes/{note['id']}", json={"version": version, "plan": "changed"})
    assert edit.status_code == 409
    assert edit.get_json()["error"]["code"] == "note_finalized"
    again = therapist.post(f"/notes/{note['id']}/finalize", json={"version": version})
    assert again.status_code == 409
    addendum = therapist.post(f"/notes/{note['id']}/addenda", json={"text": "Late entry."})
    assert addendum.status_code == 201
    body = addendum.get_json()
    assert body["subjective"] == "signed text" and body["plan"] == ""
    assert [a["text"] for a in body["addenda"]] == ["Late entry."]


def test_billing_sheet_becomes_charges_and_deleting_one_needs_the_permission(
    as_, practice, chart, start, outbox, change_permissions
):
    therapist = as_(practice, "therapist")
    note = start(therapist, chart)
    sheet = [{"code": "97110", "units": 2, "modifiers": ["GP"]}, {"code": "G0283"}]
    saved = therapist.patch(f"/notes/{note['id']}", json={"version": 1, "billing_sheet": sheet})
    assert saved.status_code == 200, saved.get_json()
    assert [line["manual"] for line in saved.get_json()["billing_sheet"]] == [False, True]
    bad = therapist.patch(f"/notes/{note['id']}", json={
        "version": 2, "billing_sheet": [{"code": "9711", "units": 1}]})
    assert bad.status_code == 422 and "0" in bad.get_json()["error"]["details"]["lines"]
    assert therapist.post(f"/notes/{note['id']}/finalize", json={"version": 2}).status_code == 200
    charges = therapist.get(f"/patients/{chart['patient_id']}/transactions").get_json()
    assert [(c["code"], c["units"]) for c in charges] == [("97110", 2), ("G0283", 1)]
    refused = as_(practice, "assistant").delete(f"/transactions/{charges[0]['id']}")
    assert refused.status_code == 403
    change_permissions(practice, "therapist", revoke=["delete_transactions"])
    assert as_(practice, "therapist").delete(
        f"/transactions/{charges[0]['id']}").status_code == 403
    deleted = as_(practice, "manager").delete(f"/transactions/{charges[0]['id']}")
    assert deleted.status_code == 200
    assert deleted.get_json()["deleted_by_id"] == practice.users["manager"]
    again = as_(practice, "manager").delete(f"/transactions/{charges[0]['id']}")
    assert again.status_code == 409
    [event] = outbox("notes.transaction.deleted")
    assert event["patient_id"] == chart["patient_id"] and event["data"]["code"] == "97110"


def test_another_practice_gets_404_for_every_record(as_, practice, chart, start, new_practice):
    note = start(as_(practice, "therapist"), chart)
    other = as_(new_practice("Bayside Rehab"), "manager")
    for url in (f"/patients/{chart['patient_id']}", f"/notes/{note['id']}",
                f"/cases/{chart['case_id']}", f"/patients/{chart['patient_id']}/transactions",
                f"/patients/{chart['patient_id']}/notes"):
        assert other.get(url).status_code == 404, url
    assert other.patch(f"/notes/{note['id']}", json={"version": 1}).status_code == 404
    assert other.post(f"/notes/{note['id']}/finalize", json={"version": 1}).status_code == 404
    assert other.patch(f"/patients/{chart['patient_id']}",
                       json={"phone": "1"}).status_code == 404
    assert other.patch(f"/insurances/{chart['insurance_id']}",
                       json={"name": "x"}).status_code == 404
    assert other.post("/patients/search", json={"name": "Lee"}).get_json()["total"] == 0


def test_patient_search_by_name_and_birth_date_pages(as_, practice):
    manager = as_(practice, "manager")
    for first, last, born in [("Ana", "Cruz", "1990-01-01"), ("Ben", "Cruz", "1985-05-05"),
                              ("Cara", "Diaz", "1990-01-01")]:
        assert manager.post("/patients", json={
            "clinic_id": practice.clinic_id, "first_name": first, "last_name": last,
            "date_of_birth": born}).status_code == 201
    def search(**body) -> dict:
        return manager.post("/patients/search", json=body).get_json()

    by_name = search(name="cruz", page_size=1)
    assert (by_name["total"], [p["first_name"] for p in by_name["items"]]) == (2, ["Ana"])
    second = search(name="cruz", page_size=1, page=2)
    assert [p["first_name"] for p in second["items"]] == ["Ben"]
    both = search(name="ana cruz", date_of_birth="1990-01-01")
    assert [p["first_name"] for p in both["items"]] == ["Ana"]
    assert search(name="%")["total"] == 0  # % is not a wildcard
    listed = manager.get("/patients?page_size=2").get_json()
    assert (listed["total"], len(listed["items"])) == (3, 2)


def test_patient_in_another_practices_clinic_is_refused(as_, practice, new_practice):
    other = new_practice("Bayside Rehab")
    refused = as_(practice, "manager").post("/patients", json={
        "clinic_id": other.clinic_id, "first_name": "A", "last_name": "B",
        "date_of_birth": "2000-01-01"})
    assert refused.status_code == 422


@pytest.mark.parametrize("record", ["insurance", "patient"])
def test_an_empty_change_is_refused_and_writes_nothing(as_, practice, chart, outbox, record):
    manager = as_(practice, "manager")
    path = {"insurance": f"/insurances/{chart['insurance_id']}",
            "patient": f"/patients/{chart['patient_id']}"}[record]
    before = len(outbox(f"notes.{record}.updated"))
    refused = manager.patch(path, json={})
    assert refused.status_code == 422, refused.get_json()
    assert "at least one field" in str(refused.get_json()["error"])
    assert len(outbox(f"notes.{record}.updated")) == before

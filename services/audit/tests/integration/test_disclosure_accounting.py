"""The accounting of disclosures: every share of a patient's documents, from docportal's events."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from audit_harness import new_id

from servicekit.messaging.envelope import Actor, Subject, new_event

pytestmark = pytest.mark.integration

NOW = datetime.now(UTC)
SENDER = Actor(id="u-sender", kind="staff")


def docportal(event_type, org, patient, subject, data, *, at, actor=SENDER):
    entity = "share" if ".share." in event_type else "document"
    return new_event(event_type, subject=Subject(entity, subject), org_id=org, actor=actor,
                     patient_id=patient, occurred_at=at, data=data)


def sent(org, patient, share_id, email, documents, *, at, event_type="docportal.share.sent",
         **data):
    return docportal(event_type, org, patient, share_id, {
        "document_ids": [d for d, _ in documents], "recipient_email": email,
        "purpose": "treatment", "purpose_description": None,
        "documents": [{"id": d, "kind": k} for d, k in documents],
        "record_count": len(documents), **data}, at=at)


@pytest.fixture
def shared(feed):
    """Three shares of one patient: claimed, viewed, downloaded; revoked; reshared."""
    org, patient, other_patient = new_id(), new_id(), new_id()
    recipient = Actor(id="acct-lee", kind="recipient")
    plan, note, letter = new_id(), new_id(), new_id()
    first, second, third, resent = new_id(), new_id(), new_id(), new_id()
    day = timedelta(days=1)
    feed(
        docportal("docportal.document.uploaded", org, patient, letter,
                  {"kind": "letter", "size_bytes": 10}, at=NOW - 40 * day),
        sent(org, patient, first, "dr.lee@example.org", [(plan, "plan_of_care"),
                                                         (note, "note")], at=NOW - 30 * day),
        docportal("docportal.share.claimed", org, patient, first, {}, at=NOW - 29 * day,
                  actor=recipient),
        docportal("docportal.share.viewed", org, patient, first, {}, at=NOW - 29 * day,
                  actor=recipient),
        docportal("docportal.document.downloaded", org, patient, plan,
                  {"share_id": first, "by": "recipient"}, at=NOW - 29 * day, actor=recipient),
        docportal("docportal.document.downloaded", org, patient, plan,
                  {"by": "staff"}, at=NOW - 28 * day),  # the practice's own download
        # An older event without data.documents: the kind comes from the upload.
        docportal("docportal.share.sent", org, patient, second, {
            "document_ids": [letter], "recipient_email": "claims@insurer.example",
            "purpose": "other", "purpose_description": "payment review"}, at=NOW - 20 * day),
        docportal("docportal.share.revoked", org, patient, second,
                  {"recipient_email": "claims@insurer.example"}, at=NOW - 19 * day),
        sent(org, patient, third, "law@firm.example", [(note, "note")], at=NOW - 10 * day,
             purpose="legal_request"),
        sent(org, patient, resent, "law@firm.example", [(note, "note")], at=NOW - 9 * day,
             event_type="docportal.share.reshared", supersedes_id=third),
        sent(org, other_patient, new_id(), "dr.lee@example.org", [(new_id(), "note")],
             at=NOW - 5 * day),
        sent(new_id(), patient, new_id(), "elsewhere@example.org", [(new_id(), "note")],
             at=NOW - 5 * day),  # another practice
    )
    return {"org": org, "patient": patient, "shares": (first, second, third, resent)}


def test_every_share_of_the_patient_is_accounted_for_with_what_became_of_it(
        app_client, shared):
    client, bearer_for = app_client
    first, second, third, resent = shared["shares"]

    response = client.get(f"/reports/disclosures?patient_id={shared['patient']}",
                          headers=bearer_for(shared["org"]))

    assert response.status_code == 200, response.json
    body = response.json
    assert [d["share_id"] for d in body["disclosures"]] == [first, second, third, resent]
    assert body["count"] == 4
    assert body["recipients"] == ["claims@insurer.example", "dr.lee@example.org",
                                  "law@firm.example"]
    one, two, three, four = body["disclosures"]
    assert (one["recipient_email"], one["purpose"], one["description"]) == (
        "dr.lee@example.org", "treatment", "1 plan of care, 1 note")
    assert (one["claimed"], one["viewed"], one["downloaded"], one["revoked"]) == (
        True, True, True, False)
    assert (one["views"], one["downloads"], one["shared_by"]) == (1, 1, "u-sender")
    assert (two["description"], two["purpose_description"]) == ("1 letter", "payment review")
    assert (two["claimed"], two["viewed"], two["revoked"]) == (False, False, True)
    assert (three["purpose"], four["reshare_of"]) == ("legal_request", third)


def test_the_window_is_six_years_back_unless_given(app_client, shared):
    client, bearer_for = app_client
    since = (NOW - timedelta(days=15)).isoformat().replace("+00:00", "Z")
    response = client.get(f"/reports/disclosures?patient_id={shared['patient']}&from={since}",
                          headers=bearer_for(shared["org"]))
    assert [d["share_id"] for d in response.json["disclosures"]] == list(shared["shares"][2:])

    default = client.get(f"/reports/disclosures?patient_id={shared['patient']}",
                         headers=bearer_for(shared["org"])).json
    start = datetime.fromisoformat(default["window_start"])
    assert timedelta(days=6 * 365) < NOW - start < timedelta(days=6 * 366 + 1)


def test_the_accounting_as_csv_has_one_row_per_disclosure(app_client, shared):
    client, bearer_for = app_client
    response = client.get(
        f"/reports/disclosures?patient_id={shared['patient']}&format=csv",
        headers=bearer_for(shared["org"]))
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [r["recipient_email"] for r in rows] == [
        "dr.lee@example.org", "claims@insurer.example", "law@firm.example", "law@firm.example"]
    assert (rows[0]["claimed"], rows[0]["downloaded"], rows[1]["revoked"]) == ("yes", "yes",
                                                                              "yes")


def test_disclosures_need_view_audit_and_stay_in_the_practice(app_client, shared):
    client, bearer_for = app_client
    url = f"/reports/disclosures?patient_id={shared['patient']}"
    assert client.get(url, headers=bearer_for(shared["org"], perms=())).status_code == 403
    other = client.get(url, headers=bearer_for(new_id())).json
    assert other["disclosures"] == []
    refused = client.get(f"{url}&org_id={shared['org']}", headers=bearer_for(new_id()))
    assert refused.status_code == 403
    assert client.get(url).status_code == 401

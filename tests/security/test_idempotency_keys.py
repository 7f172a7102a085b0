"""Idempotency-Key on every creating POST (README, "API conventions"): each service's POSTs
documented 201 take the key or say in their OpenAPI entry why not, and every one of notes',
docportal's and audit's is sent twice with one key (the bodies of the authorization walk's
tables):
the replay is the first answer, the work is done once, another body is refused, and another
caller with the same key gets an answer of its own. Identity's are driven in
services/identity/tests/integration/test_idempotency_keys_api.py.
"""

from __future__ import annotations

import threading
import uuid

import pytest
import security_apps
from security_apps import finalized_note, notes_chart, notes_practice, outbox_payloads, plan_patient
from security_tokens import bearer, mint
from test_api_conventions import BUILDERS, operations
from test_authorization_walk import seed_docportal
from topology import SERVICES
from walk import request_options
from walk_tables import AUDIT, DOCPORTAL, NOTES

from servicekit.web.idempotency import EXCLUDED, HEADER, REPLAYED

pytestmark = pytest.mark.integration

# A creating POST that cannot take a key yet is named here, with the reason, until it does.
PENDING: set[tuple[str, str, str]] = set()


@pytest.fixture(params=[s.name for s in SERVICES])
def service(request, tmp_path):
    app = BUILDERS[request.param](f"sqlite:///{tmp_path / 'service.db'}",
                                  tmp_path / request.param, request)
    yield app
    security_apps.close(app)


def test_every_creating_post_takes_an_idempotency_key_or_says_why_not(service):
    document = service.test_client().get("/openapi.json").get_json()
    undeclared = []
    for method, path, operation, _ in operations(document):
        if method != "post" or "201" not in operation["responses"]:
            continue
        headers = {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}
        if HEADER in headers:
            assert {"409", "422"} <= set(operation["responses"]), (method, path)
        elif not operation.get(EXCLUDED) and (service.name, method, path) not in PENDING:
            undeclared.append((method, path))
    assert undeclared == []


def creating_rows(table) -> dict:
    return {key: row for key, row in table.items()
            if key[0] == "POST" and row.statuses["member"] == 201}


def send(client, url, headers, options, key):
    return client.post(url, headers={**headers, HEADER: key}, **options)


def assert_answered_once(app, client, key_path, row, records, member, other) -> None:
    url, key = row.url.format(**records), str(uuid.uuid4())
    first = send(client, url, member, request_options(row, records), key)
    assert first.status_code == 201, (key_path, first.get_json())
    events = len(outbox_payloads(app))

    again = send(client, url, member, request_options(row, records), key)

    assert (again.status_code, again.get_data()) == (first.status_code, first.get_data())
    assert again.headers[REPLAYED] == "true"
    for header in ("Location", "ETag"):
        assert again.headers.get(header) == first.headers.get(header)
    assert len(outbox_payloads(app)) == events, f"{key_path}: the work was done twice"

    other_body = client.post(url, headers={**member, HEADER: key}, json={"another": "body"})
    assert other_body.status_code == 422, key_path
    assert other_body.get_json()["error"]["code"] == "idempotency_key_reused"

    stranger = send(client, url, other, request_options(row, records), key)
    assert REPLAYED not in stranger.headers, key_path
    assert stranger.get_data() != first.get_data(), key_path


def seed_notes(client, a) -> dict[str, str]:
    """The records notes' creating rows name: a chart, a signed note, a patient to plan for."""
    chart = notes_chart(client, a)
    return {**chart, "clinic": a.clinic_id, "plan_patient": plan_patient(client, a, "Idem"),
            "signed": finalized_note(client, a, chart["case"])["id"]}


def test_notes_creating_posts_answer_a_repeated_key_with_the_first_answer(notes):
    client = notes.test_client()
    a = notes_practice(notes)
    rows = creating_rows(NOTES)
    assert ("POST", "/patients") in rows and ("POST", "/notes/{note_id}/addenda") in rows
    for key_path, row in rows.items():
        records = seed_notes(client, a)
        assert_answered_once(notes, client, key_path, row, records, a.headers(),
                             a.headers("therapist"))


def test_docportal_creating_posts_answer_a_repeated_key_with_the_first_answer(
        docportal, served_notes):
    client, notes_client = docportal.test_client(), served_notes.app.test_client()
    a = notes_practice(served_notes.app)
    rows = creating_rows(DOCPORTAL)
    assert ("POST", "/shares") in rows and ("POST", "/documents") in rows
    for key_path, row in rows.items():
        records = seed_docportal(client, notes_client, a)
        assert_answered_once(docportal, client, key_path, row, records, a.headers(),
                             a.headers("therapist"))


def test_audit_creating_posts_answer_a_repeated_key_with_the_first_answer(audit):
    client, org = audit.test_client(), str(uuid.uuid4())
    rows = creating_rows(AUDIT)
    assert list(rows) == [("POST", "/breach-assessments")]
    member, other = (bearer(mint(str(uuid.uuid4()), org, perms=("view_audit",)))
                     for _ in range(2))
    for key_path, row in rows.items():
        assert_answered_once(audit, client, key_path, row, {"patient": "p-idem-1"}, member,
                             other)


def test_a_request_refused_before_its_work_leaves_the_key_free(notes):
    client = notes.test_client()
    a, key = notes_practice(notes), str(uuid.uuid4())
    body = {"clinic_id": a.clinic_id, "first_name": "Kay", "last_name": "Free",
            "date_of_birth": "2001-01-01"}

    refused = client.post("/patients", headers={**a.headers(), HEADER: key},
                          json={**body, "date_of_birth": "not a date"})
    assert refused.status_code == 422
    corrected = client.post("/patients", headers={**a.headers(), HEADER: key}, json=body)
    # Not stored (nothing of it committed): the key is free for the corrected request.
    assert corrected.status_code == 201 and REPLAYED not in corrected.headers


def test_a_malformed_key_is_refused(notes):
    a = notes_practice(notes)
    response = notes.test_client().post("/patients", headers={**a.headers(), HEADER: "é"},
                                        json={})
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "invalid_idempotency_key"


# --- two duplicates at once, on PostgreSQL -------------------------------------------

def test_simultaneous_duplicates_do_the_work_once_on_postgresql(pg_only_url, tmp_path):
    app = security_apps.notes_app(pg_only_url, tmp_path / "notes")
    try:
        a, key = notes_practice(app), str(uuid.uuid4())
        body = {"clinic_id": a.clinic_id, "first_name": "Dup", "last_name": "Licate",
                "date_of_birth": "2001-01-01"}
        answers = race(app, 8, lambda client: client.post(
            "/patients", headers={**a.headers(), HEADER: key}, json=body))

        statuses = sorted(r.status_code for r in answers)
        assert set(statuses) <= {201, 409}, statuses
        created = [e for e in outbox_payloads(app) if e["type"] == "notes.patient.created"]
        assert len(created) == 1
        in_flight = [r for r in answers if r.status_code == 409]
        assert all(r.get_json()["error"]["code"] == "idempotency_key_in_flight"
                   and r.headers["Retry-After"] for r in in_flight)
        ids = {r.get_json()["id"] for r in answers if r.status_code == 201}
        assert ids == {created[0]["subject"]["id"]}
        retried = app.test_client().post("/patients", headers={**a.headers(), HEADER: key},
                                         json=body)
        assert retried.status_code == 201 and retried.get_json()["id"] in ids
    finally:
        security_apps.close(app)


def race(app, count: int, call) -> list:
    """``count`` threads make ``call`` at the same moment."""
    barrier, answers, lock = threading.Barrier(count), [], threading.Lock()

    def one() -> None:
        client = app.test_client()
        barrier.wait()
        response = call(client)
        with lock:
            answers.append(response)

    threads = [threading.Thread(target=one) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(answers) == count
    return answers

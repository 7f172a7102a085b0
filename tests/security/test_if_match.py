"""ETag and If-Match on every editable record (README, "API conventions"): each PATCH/PUT of
each service documents If-Match and its 412, and every one of notes' and audit's (the bodies
of the authorization walk's tables) refuses a stale If-Match with 412 before changing
anything, works without If-Match, answers the record's ETag (the one its GET answers) and
accepts it. Identity's are driven in services/identity/tests/integration/test_if_match_api.py
(its callers sign in with a second factor, and its user type changes need vendor support).
"""

from __future__ import annotations

import uuid

import pytest
import security_apps
from security_apps import notes_practice, outbox_payloads, treatment_plan
from security_tokens import bearer, mint
from test_api_conventions import BUILDERS, operations
from test_idempotency_keys import seed_notes
from topology import SERVICES
from walk import request_options
from walk_tables import AUDIT, NOTES

pytestmark = pytest.mark.integration

# Every PATCH and PUT of every service documents If-Match; a route that cannot yet is named
# here, with the reason, until its If-Match lands.
PENDING: set[tuple[str, str, str]] = set()
STALE = '"0000000000000000"'


@pytest.fixture(params=[s.name for s in SERVICES])
def service(request, tmp_path):
    app = BUILDERS[request.param](f"sqlite:///{tmp_path / 'service.db'}",
                                  tmp_path / request.param, request)
    yield app
    security_apps.close(app)


def test_every_patch_and_put_documents_if_match_and_412(service):
    document = service.test_client().get("/openapi.json").get_json()
    undeclared = []
    for method, path, operation, _ in operations(document):
        if method not in ("patch", "put") or (service.name, method, path) in PENDING:
            continue
        headers = {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}
        if "If-Match" not in headers or "412" not in operation["responses"]:
            undeclared.append((method, path))
    assert undeclared == []


def body_for(row, records, etag: str | None = None) -> dict:
    options = request_options(row, records)
    if etag and etag.startswith('"v') and "version" in options.get("json", {}):
        options["json"]["version"] = int(etag.strip('"v'))  # a versioned record's own check
    return options


def test_every_notes_edit_honours_if_match(notes):
    client = notes.test_client()
    a = notes_practice(notes)
    rows = {key: row for key, row in NOTES.items()
            if key[0] in ("PATCH", "PUT") and row.statuses["member"] == 200}
    assert len(rows) == 5
    for (method, path), row in rows.items():
        records = seed_notes(client, a)
        records["draft"] = security_apps.start_note(client, a, records["case"])["id"]
        records["plan_draft"] = treatment_plan(client, a, records["plan_patient"])
        url = row.url.format(**records)
        events = len(outbox_payloads(notes))

        stale = client.open(url, method=method, headers={**a.headers(), "If-Match": STALE},
                            **body_for(row, records))
        assert stale.status_code == 412, (path, stale.get_json())
        assert stale.get_json()["error"]["code"] == "precondition_failed"
        assert len(outbox_payloads(notes)) == events, f"{path}: changed on a stale If-Match"

        plain = client.open(url, method=method, headers=a.headers(), **body_for(row, records))
        assert plain.status_code == 200, (path, plain.get_json())
        etag = plain.headers["ETag"]
        read = client.get(url, headers=a.headers())
        if read.status_code != 405:
            assert read.headers["ETag"] == etag, path

        matched = client.open(url, method=method, headers={**a.headers(), "If-Match": etag},
                              **body_for(row, records, etag))
        assert matched.status_code == 200, (path, matched.get_json())
        assert matched.headers["ETag"]
        if etag.startswith('"v'):  # a versioned record: each change is a new version
            assert matched.headers["ETag"] != etag
            again = client.open(url, method=method, headers={**a.headers(), "If-Match": etag},
                                **body_for(row, records, etag))
            assert again.status_code == 412, path


def test_the_audit_webhook_honours_if_match(audit):
    client = audit.test_client()
    org, other_org = str(uuid.uuid4()), str(uuid.uuid4())
    manager = bearer(mint(str(uuid.uuid4()), org, perms=("view_audit", "manage_users")))
    (method, path), = [key for key in AUDIT if key[0] in ("PATCH", "PUT")]
    row = AUDIT[(method, path)]
    before = client.get(path, headers=manager)
    assert before.status_code == 200 and before.headers["ETag"]  # no webhook is a state too

    stale = client.open(path, method=method, headers={**manager, "If-Match": STALE},
                        **body_for(row, {}))
    assert stale.status_code == 412, stale.get_json()
    assert stale.get_json()["error"]["code"] == "precondition_failed"
    assert client.get(path, headers=manager).get_json() == before.get_json(), "changed"

    plain = client.open(path, method=method, headers=manager, **body_for(row, {}))
    assert plain.status_code == 200, plain.get_json()
    etag = plain.headers["ETag"]
    assert client.get(path, headers=manager).headers["ETag"] == etag

    matched = client.open(path, method=method, headers={**manager, "If-Match": etag},
                          json={"url": "https://siem.example/moved"})
    assert matched.status_code == 200, matched.get_json()
    assert matched.headers["ETag"] not in (etag, None)
    again = client.open(path, method=method, headers={**manager, "If-Match": etag},
                        json={"url": "https://siem.example/stale"})
    assert again.status_code == 412
    assert client.get(path, headers=manager).get_json()["url"] == "https://siem.example/moved"

    # Another practice's manager sees their own (empty) webhook and its ETag, never A's.
    stranger = bearer(mint(str(uuid.uuid4()), other_org, perms=("view_audit", "manage_users")))
    theirs = client.get(path, headers=stranger)
    assert theirs.get_json()["url"] is None and theirs.headers["ETag"] != matched.headers["ETag"]
    assert theirs.headers["ETag"] == before.headers["ETag"]
    refused = client.open(path, method=method,
                          headers={**stranger, "If-Match": matched.headers["ETag"]},
                          json={"url": "https://intruder.example/hook"})
    assert refused.status_code == 412
    assert client.get(path, headers=manager).get_json()["url"] == "https://siem.example/moved"

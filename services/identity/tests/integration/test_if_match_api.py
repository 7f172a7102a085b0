"""Identity's editable records take If-Match (README, "API conventions"): every PATCH and PUT
of the authorization walk's table refuses a stale If-Match with 412 before changing anything,
works without If-Match, answers the record's ETag (the one its GET answers) and accepts it;
an ETag never reaches a caller who may not read the record."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from identity.adapters.tables import messaging

sys.path.insert(0, str(Path(__file__).parent))
from identity_accounts import VENDOR_DOMAIN, bearer, new_grant, new_vendor_staff  # noqa: E402
from identity_accounts import sign_in as sign_in_as  # noqa: E402
from test_identity_authorization_walk import WALK  # noqa: E402

pytestmark = pytest.mark.integration

OWNER = "owner@harbourphysio.example"
STALE = '"0000000000000000"'
# The GET that reads each record; None: the record has no GET of its own (a list shows it),
# and its change's answer carries the ETag.
READS = {
    "/users/{user_id}": "/users/{user_id}", "/users/{user_id}/permissions": "/users/{user_id}",
    "/users/{user_id}/user-type": "/users/{user_id}", "/clinics/{clinic_id}/settings": None,
    "/practice/billing-integration": None, "/practitioners/{practitioner_id}": None,
}
EDITS = {key: body for key, (body, _) in WALK.items() if key[0] in ("PATCH", "PUT")}


def outbox_size(ident) -> int:
    with ident.uow() as uow:
        return uow.session.execute(
            select(func.count()).select_from(messaging.outbox)).scalar_one()


def fill(value, values: dict[str, str]):
    if isinstance(value, dict):
        return {k: fill(v, values) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(v, values) for v in value]
    return value.format(**values) if isinstance(value, str) else value


@pytest.fixture
def owner(login, practice):
    return bearer(login(OWNER)["access_token"])


@pytest.fixture
def support(client, ident, practice):
    """Vendor support signed in to the practice under a grant (they change user types)."""
    admin = new_vendor_staff(ident, "support-admin", support_admin=True)
    new_grant(ident, admin, new_vendor_staff(ident, "support"), practice.id)
    signed_in = sign_in_as(client, f"support@{VENDOR_DOMAIN}", account="vendor",
                           practice_id=practice.id)
    assert signed_in.status_code == 200, signed_in.get_json()
    return bearer(signed_in.get_json()["access_token"])


@pytest.fixture
def values(client, practice, owner) -> dict[str, str]:
    record = client.post("/practitioners", headers=owner, json={"name": "Lee Morgan"})
    assert record.status_code == 201, record.get_json()
    return {"user_id": practice.users["student"], "clinic_id": practice.clinic_id,
            "practitioner_id": record.get_json()["id"], "caller": "admin"}


def test_every_identity_edit_honours_if_match(client, ident, owner, support, values):
    assert len(EDITS) == 14
    for (method, path), body in EDITS.items():
        headers = support if path.endswith("/user-type") else owner
        url, read = path.format(**values), READS.get(path, path)
        read_url = read.format(**values) if read else None
        send = {"json": fill(body, values)}
        before = client.get(read_url, headers=headers).get_json() if read_url else None
        events = outbox_size(ident)

        stale = client.open(url, method=method, headers={**headers, "If-Match": STALE}, **send)
        assert stale.status_code == 412, (path, stale.get_json())
        assert stale.get_json()["error"]["code"] == "precondition_failed"
        assert outbox_size(ident) == events, f"{path}: changed on a stale If-Match"
        if read_url:
            assert client.get(read_url, headers=headers).get_json() == before, path

        plain = client.open(url, method=method, headers=headers, **send)
        assert plain.status_code == 200, (path, plain.get_json())
        etag = plain.headers["ETag"]
        if read_url:
            assert client.get(read_url, headers=headers).headers["ETag"] == etag, path

        matched = client.open(url, method=method, headers={**headers, "If-Match": etag},
                              **send)
        assert matched.status_code == 200, (path, matched.get_json())
        assert matched.headers["ETag"], path
        if read_url:
            assert client.get(read_url, headers=headers).headers["ETag"] == \
                matched.headers["ETag"], path


def test_a_change_made_on_a_stale_read_is_refused(client, owner, practice):
    url = f"/users/{practice.users['student']}"
    read = client.get(url, headers=owner)
    etag = read.headers["ETag"]

    first = client.patch(url, headers={**owner, "If-Match": etag},
                         json={"full_name": "First Writer"})
    second = client.patch(url, headers={**owner, "If-Match": etag},
                          json={"full_name": "Second Writer"})

    assert first.status_code == 200 and first.headers["ETag"] != etag
    assert second.status_code == 412
    assert second.get_json()["error"]["details"]["etag"] == first.headers["ETag"]
    assert client.get(url, headers=owner).get_json()["full_name"] == "First Writer"
    # Permissions and the profile are one record: either change makes the other's ETag stale.
    granted = client.patch(f"{url}/permissions", headers={**owner, "If-Match": etag},
                           json={"revoke": ["edit_patients"]})
    assert granted.status_code == 412


def test_no_etag_reaches_a_caller_who_may_not_read_the_record(
        client, practice, owner, values, new_practice, login):
    new_practice("Bayside Rehab", "owner@bayside.example")
    stranger = bearer(login("owner@bayside.example")["access_token"])
    theirs = client.get(f"/users/{practice.users['student']}", headers=stranger)
    assert theirs.status_code == 404 and "ETag" not in theirs.headers
    for (method, path), body in EDITS.items():
        if "{" not in path:
            continue  # the caller's own practice's record: another practice's is unnamed
        answer = client.open(path.format(**values), method=method,
                             headers={**stranger, "If-Match": STALE}, json=fill(body, values))
        assert answer.status_code in (403, 404), (path, answer.get_json())
        assert "ETag" not in answer.headers
        assert "etag" not in answer.get_json()["error"]["details"]

    # A colleague who is no Admin: the Admin-only area's refusal, not its ETag.
    therapist = bearer(login("therapist@harbourphysio.example")["access_token"])
    refused = client.put("/practice/security", headers={**therapist, "If-Match": STALE},
                         json={"require_second_factor": False})
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "admin_only"
    assert "ETag" not in client.get("/practice/security", headers=therapist).headers

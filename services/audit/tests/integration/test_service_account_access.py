"""Service accounts (identity's client credentials) read the record as a User Manager with
view_audit does; the vendor-wide security account reads every practice; a rotated or
revoked account's older tokens are refused."""

import time
from dataclasses import replace

import jwt
import pytest
from audit_harness import (
    AUDIENCE,
    ISSUER,
    TOKEN_KEY,
    access,
    new_id,
    practice_created,
    token_verifier,
    user_created,
)

from audit.app import create_app
from audit.spec import SPEC
from servicekit.messaging.envelope import Actor, Subject, new_event
from servicekit.token_state import record_token_state

pytestmark = pytest.mark.integration


def service_token(org_id: str | None, account_id: str, *, pv: int = 1,
                  perms: tuple[str, ...] = ("view_audit",)) -> dict[str, str]:
    """A token as identity's POST /oauth/token signs it for a service account."""
    now = int(time.time())
    claims = {"sub": account_id, "org": org_id, "kind": "service", "email": None,
              "user_type": None, "perms": list(perms), "clinics": [], "pv": pv,
              "sid": new_id(), "iat": now, "exp": now + 300, "iss": ISSUER, "aud": AUDIENCE}
    token = jwt.encode(claims, TOKEN_KEY, algorithm="EdDSA", headers={"kid": "t-1"})
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def client(audit):
    settings = {"stream_poll_seconds": 0.02, "stream_heartbeat_seconds": 0.1,
                "stream_max_seconds": 3.0}
    return create_app(replace(audit.config, **settings), verifier=token_verifier()).test_client()


@pytest.fixture
def practices(feed) -> dict[str, str]:
    made = {}
    for name in ("a", "b"):
        org, owner = new_id(), new_id()
        feed(practice_created(org, owner),
             user_created(org, owner, f"owner@{name}.example", role="owner"),
             access("notes.note.viewed", org, owner, new_id()))
        made[name] = org
    return made


def test_a_practice_service_account_reads_its_practices_events_alerts_and_reports(
    client, practices
):
    siem = service_token(practices["a"], new_id())
    events = client.get("/events", headers=siem)
    assert events.status_code == 200, events.get_json()
    assert {e["event"]["org_id"] for e in events.get_json()["events"]} == {practices["a"]}
    assert client.get("/alerts", headers=siem).status_code == 200
    assert client.get(f"/reports/access?user_id={new_id()}", headers=siem).status_code == 200
    other = client.get(f"/events?org_id={practices['b']}", headers=siem)
    assert (other.status_code, other.get_json()["error"]["code"]) == (403, "other_practice")


def test_a_practice_service_account_reads_the_stream(client, practices):
    response = client.get("/stream?after=0&max_seconds=0.3",
                          headers={**service_token(practices["a"], new_id()),
                                   "Accept": "application/x-ndjson"})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert practices["a"] in body and practices["b"] not in body


def test_the_vendor_security_account_reads_every_practice(client, practices):
    security = service_token(None, new_id())
    orgs = {e["event"]["org_id"] for e in client.get("/events", headers=security)
            .get_json()["events"]}
    assert orgs == set(practices.values())
    narrowed = client.get(f"/events?org_id={practices['b']}", headers=security).get_json()
    assert {e["event"]["org_id"] for e in narrowed["events"]} == {practices["b"]}


def test_a_service_token_without_view_audit_is_refused(client, practices):
    response = client.get("/events", headers=service_token(practices["a"], new_id(), perms=()))
    assert response.status_code == 403


def test_a_rotated_accounts_older_tokens_are_refused(client, audit, practices):
    account = new_id()
    before = service_token(practices["a"], account, pv=1)
    assert client.get("/events", headers=before).status_code == 200
    rotated = new_event(  # as identity emits it; the token-state subscription keeps it
        "identity.service_account.rotated", subject=Subject("user", account),
        org_id=practices["a"], actor=Actor(id=new_id(), kind="staff"),
        data={"service_account_id": account, "permission_version": 2})
    with audit.uow() as uow:
        record_token_state(SPEC.messaging.token_state, uow.session, rotated)
        uow.commit()
    refused = client.get("/events", headers=before)
    assert (refused.status_code, refused.get_json()["error"]["code"]) == (401, "token_outdated")
    assert client.get("/events", headers=service_token(practices["a"], account, pv=2)
                      ).status_code == 200

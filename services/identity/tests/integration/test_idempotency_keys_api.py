"""Identity's creating POSTs with an Idempotency-Key (README, "API conventions"): a retry is
the first answer, the user, clinic, invitation, record or grant is made once and its mail
queued once; another body is refused; another caller's key is another key."""

from __future__ import annotations

import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from identity.adapters.tables import mail_outbox, messaging
from servicekit.web.idempotency import HEADER, REPLAYED

sys.path.insert(0, str(Path(__file__).parent))
from identity_accounts import VENDOR_DOMAIN, email_proof, new_vendor_staff, sign_in  # noqa: E402

pytestmark = pytest.mark.integration

OWNER = "owner@harbourphysio.example"


def counted(ident, table) -> int:
    with ident.uow() as uow:
        return uow.session.execute(select(func.count()).select_from(table)).scalar_one()


def assert_answered_once(client, ident, url, headers, body, *, other_headers=None):
    key = str(uuid.uuid4())
    first = client.post(url, headers={**headers, HEADER: key}, json=body)
    assert first.status_code == 201, first.get_json()
    work = (counted(ident, messaging.outbox), counted(ident, mail_outbox))

    again = client.post(url, headers={**headers, HEADER: key}, json=body)

    assert (again.status_code, again.get_json()) == (201, first.get_json())
    assert again.headers[REPLAYED] == "true"
    assert (counted(ident, messaging.outbox), counted(ident, mail_outbox)) == work
    reused = client.post(url, headers={**headers, HEADER: key}, json={**body, "x": 1})
    assert reused.status_code == 422
    assert reused.get_json()["error"]["code"] == "idempotency_key_reused"
    if other_headers is not None:
        other = client.post(url, headers={**other_headers, HEADER: key}, json=body)
        assert REPLAYED not in other.headers and other.get_json() != first.get_json()
    return first.get_json()


def owner_headers(login, email=OWNER) -> dict[str, str]:
    return {"Authorization": f"Bearer {login(email)['access_token']}"}


def test_staff_creations_are_made_once_per_key(client, ident, practice, other_practice, login):
    owner, stranger = owner_headers(login), owner_headers(login, "owner@bayside.example")
    suffix = uuid.uuid4().hex[:6]
    bodies = {
        "/users": {"email": f"new-{suffix}@harbourphysio.example", "full_name": "New Person",
                   "user_type": "PT"},
        "/clinics": {"name": f"Eastside {suffix}"},
        "/invitations": {"full_name": "Sam Lee", "email": f"sam-{suffix}@harbourphysio.example",
                         "practice_role": "front_desk", "user_type": "Front Office"},
        "/practitioners": {"name": f"Lee Record {suffix}"},
    }
    for url, body in bodies.items():
        assert_answered_once(client, ident, url, owner, body, other_headers=stranger)


def test_an_anonymous_registration_is_keyed_by_its_source(client, ident):
    email = f"dr.{uuid.uuid4().hex[:6]}@example.org"
    body = {"proof": email_proof(ident.config.recipient_proof_secret, email),
            "full_name": "Dr Avery Lane", "password": "violet lantern orchard"}
    made = assert_answered_once(client, ident, "/recipients/register", {}, body)

    elsewhere = client.post("/recipients/register", json=body,
                            headers={HEADER: "any"}, environ_base={"REMOTE_ADDR": "10.9.8.7"})
    assert REPLAYED not in elsewhere.headers and elsewhere.get_json() != made


def test_a_vendor_grant_is_made_once_per_key(client, ident, practice):
    new_vendor_staff(ident, "support-admin", support_admin=True)
    support = new_vendor_staff(ident, "support")
    signed_in = sign_in(client, f"support-admin@{VENDOR_DOMAIN}", account="vendor")
    assert signed_in.status_code == 200, signed_in.get_json()
    headers = {"Authorization": f"Bearer {signed_in.get_json()['access_token']}"}
    ends = (datetime.now(UTC) + timedelta(hours=2)).isoformat()
    assert_answered_once(client, ident, "/vendor/grants", headers, {
        "practice_id": practice.id, "user_id": support, "purpose": "Ticket 5120",
        "ends_at": ends})

"""The sender's tracking shows every open of the link that was turned away.

Real database (SQLite and PostgreSQL), real SeaweedFS and SMTP sink; identity's recipient
accounts are the in-memory fake of portal_harness.
"""

from __future__ import annotations

import uuid

import pytest
from docportal_harness import bearer, make_config, uploaded
from portal_harness import PASSWORD, FakeRecipientAccounts, csrf_of, link_token, make_portal_app

from docportal.adapters.repository import ShareRepository

pytestmark = pytest.mark.integration

BROWSER = {"User-Agent": "Mozilla/5.0 (X11; Linux) Firefox/128.0",
           "X-Forwarded-For": "203.0.113.7"}
CLIENT = "203.0.113.7 Mozilla/5.0 (X11; Linux) Firefox/128.0"


@pytest.fixture
def accounts() -> FakeRecipientAccounts:
    return FakeRecipientAccounts()


@pytest.fixture
def portal_app(database_url, tmp_path, seaweedfs, smtp_url, accounts):
    app = make_portal_app(make_config(database_url, tmp_path, seaweedfs, smtp_url), accounts)
    yield app
    app.extensions["servicekit.runtime"].close()


@pytest.fixture
def staff(portal_app):
    return portal_app.test_client()


@pytest.fixture
def email() -> str:
    return f"dr.lee+{uuid.uuid4().hex[:8]}@example.org"


@pytest.fixture
def stranger(accounts) -> tuple[str, str]:
    """Another recipient account, signed in elsewhere: its email and account id."""
    address = f"eve-{uuid.uuid4().hex[:6]}@example.net"
    return address, accounts.add(address)


def send_share(staff, practice, mail_sink, email: str) -> tuple[str, str]:
    """Share a document with ``email``: the share's id and the link's token."""
    document = uploaded(staff, practice)
    response = staff.post("/shares", headers=practice.headers, json={
        "document_ids": [document["id"]], "recipient_email": email, "purpose": "treatment"})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"], link_token(mail_sink, email)


def open_link_as(portal_app, token: str, address: str) -> int:
    """Sign in as ``address`` in a browser of its own, then open the link: the status."""
    browser = portal_app.test_client()
    page = browser.get("/portal/login", headers=BROWSER)
    signed_in = browser.post("/portal/login", headers=BROWSER, data={
        "csrf_token": csrf_of(page), "email": address, "password": PASSWORD})
    assert signed_in.status_code == 302
    return browser.get(f"/portal/s/{token}", headers=BROWSER).status_code


def tracking(staff, headers: dict[str, str], share_id: str) -> dict:
    response = staff.get(f"/shares/{share_id}", headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_an_open_by_another_account_shows_as_one_refusal_with_client_and_account_not_email(
        portal_app, staff, practice, mail_sink, email, stranger):
    share_id, token = send_share(staff, practice, mail_sink, email)
    address, account_id = stranger

    assert open_link_as(portal_app, token, address) == 403
    response = staff.get(f"/shares/{share_id}", headers=practice.headers)

    seen = response.get_json()
    assert seen["refused_attempts"] == 1
    [refusal] = seen["refusals"]
    assert set(refusal) == {"at", "client", "reason", "account_id"}
    assert refusal["reason"] == "wrong_recipient"
    assert refusal["account_id"] == account_id
    assert refusal["client"] == CLIENT
    assert refusal["at"]
    assert address not in response.get_data(as_text=True)
    assert seen["activity"] == [] and seen["views"] == 0


def test_the_recipients_own_claim_is_not_a_refusal(
        portal_app, staff, practice, mail_sink, email, accounts):
    share_id, token = send_share(staff, practice, mail_sink, email)
    accounts.add(email)

    assert open_link_as(portal_app, token, email) == 302

    seen = tracking(staff, practice.headers, share_id)
    assert seen["status"] == "claimed" and seen["views"] == 1
    assert (seen["refused_attempts"], seen["refusals"]) == (0, [])


def test_refusals_are_oldest_first_apart_from_the_activity_with_the_same_client(
        portal_app, staff, practice, mail_sink, email, accounts, stranger):
    share_id, token = send_share(staff, practice, mail_sink, email)
    address, _ = stranger
    accounts.add(email)

    open_link_as(portal_app, token, address)
    open_link_as(portal_app, token, email)
    staff.post(f"/shares/{share_id}/revoke", headers=practice.headers)
    open_link_as(portal_app, token, email)

    seen = tracking(staff, practice.headers, share_id)
    assert [r["reason"] for r in seen["refusals"]] == ["wrong_recipient", "share_revoked"]
    assert seen["refused_attempts"] == 2
    assert seen["refusals"][0]["at"] < seen["refusals"][1]["at"]
    [view] = seen["activity"]
    assert view["client"] == seen["refusals"][0]["client"]


def test_a_sender_of_another_practice_cannot_read_the_tracking(
        portal_app, staff, practice, other_practice, mail_sink, email, stranger):
    share_id, token = send_share(staff, practice, mail_sink, email)
    open_link_as(portal_app, token, stranger[0])

    response = staff.get(f"/shares/{share_id}", headers=other_practice.headers)

    assert response.status_code == 404
    assert "refusals" not in response.get_json()


def test_a_practice_admin_sees_the_same_refusals_as_the_sender(
        portal_app, staff, practice, mail_sink, email, stranger):
    share_id, token = send_share(staff, practice, mail_sink, email)
    open_link_as(portal_app, token, stranger[0])
    admin = bearer(practice.org_id, perms=("share_documents", "view_patients", "manage_users",
                                            "view_audit"))

    seen = tracking(staff, admin, share_id)

    assert seen["refused_attempts"] == 1
    assert seen["refusals"] == tracking(staff, practice.headers, share_id)["refusals"]
    assert seen["refusals"][0]["account_id"] == stranger[1]


def test_the_repository_reads_a_shares_refusals_only_within_its_practice(
        portal_app, staff, practice, other_practice, mail_sink, email, stranger):
    share_id, token = send_share(staff, practice, mail_sink, email)
    open_link_as(portal_app, token, stranger[0])

    with portal_app.extensions["docportal"].uow() as uow:
        shares = ShareRepository(uow.session)
        own = shares.refusals(practice.org_id, share_id)
        elsewhere = shares.refusals(other_practice.org_id, share_id)

    assert [r.account_id for r in own] == [stranger[1]]
    assert elsewhere == []

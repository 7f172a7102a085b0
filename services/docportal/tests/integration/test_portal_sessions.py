"""The recipient's portal session lives server-side and ends when identity says it ended.

The cookie holds a random id only; sign-out deletes the session, so a copied cookie opens
nothing afterwards; a password reset (a higher permission version) or an ended identity
session ends it on the next page; a refused refresh ends it too.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from docportal_harness import make_config, table_rows
from portal_harness import (
    PASSWORD,
    FakeRecipientAccounts,
    csrf_of,
    make_portal_app,
    recipient_token,
)
from sqlalchemy import update

from docportal.adapters.portal_sessions import SESSION_ID
from docportal.adapters.tables import messaging, portal_sessions

pytestmark = pytest.mark.integration

TOKEN_STATE = messaging.token_state


@pytest.fixture
def accounts() -> FakeRecipientAccounts:
    return FakeRecipientAccounts()


@pytest.fixture
def portal_app(database_url, tmp_path, seaweedfs, smtp_url, accounts):
    app = make_portal_app(make_config(database_url, tmp_path, seaweedfs, smtp_url), accounts)
    yield app
    app.extensions["servicekit.runtime"].close()


@pytest.fixture
def email(accounts) -> str:
    address = f"dr.lee+{uuid.uuid4().hex[:8]}@example.org"
    accounts.add(address)
    return address


def signed_in_browser(app, email: str):
    browser = app.test_client()
    page = browser.get("/portal/login")
    response = browser.post("/portal/login", data={"csrf_token": csrf_of(page),
                                                   "email": email, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert browser.get("/portal/shared").status_code == 200
    return browser


def cookie_of(browser) -> str:
    return browser.get_cookie("clinic_portal", path="/portal").value


def is_signed_in(browser) -> bool:
    response = browser.get("/portal/shared")
    assert response.status_code in (200, 302)
    return response.status_code == 200


def sessions_of(app, user_id: str) -> list:
    return [row for row in table_rows(app, portal_sessions) if row.signed_in_as == user_id]


def engine(app):
    return app.extensions["servicekit.runtime"].engine


def test_the_cookie_holds_a_random_id_and_the_tokens_stay_sealed_server_side(
        portal_app, accounts, email):
    browser = signed_in_browser(portal_app, email)
    [refresh] = accounts.sessions

    cookie = cookie_of(browser)
    assert SESSION_ID.match(cookie)
    [row] = sessions_of(portal_app, accounts.accounts[email].id)
    assert refresh not in row.data and "eyJ" not in row.data  # no token, no JWT in clear
    assert cookie not in row.id_hash


def test_a_copied_cookie_opens_nothing_after_sign_out(portal_app, accounts, email):
    browser = signed_in_browser(portal_app, email)
    thief = portal_app.test_client()
    thief.set_cookie("clinic_portal", cookie_of(browser), path="/portal")
    assert is_signed_in(thief)

    shared = browser.get("/portal/shared")
    browser.post("/portal/logout", data={"csrf_token": csrf_of(shared)})

    assert not is_signed_in(thief)
    assert sessions_of(portal_app, accounts.accounts[email].id) == []


def test_signing_in_gives_a_new_session_id(portal_app, email):
    browser = portal_app.test_client()
    page = browser.get("/portal/login")  # an anonymous session for the form's CSRF token
    before = cookie_of(browser)
    browser.post("/portal/login", data={"csrf_token": csrf_of(page), "email": email,
                                        "password": PASSWORD})
    assert cookie_of(browser) != before


def test_a_password_reset_elsewhere_ends_the_portal_session_on_the_next_page(
        portal_app, accounts, email):
    browser = signed_in_browser(portal_app, email)
    user_id = accounts.accounts[email].id

    # identity's password reset event, as servicekit's token-state consumer records it
    with engine(portal_app).begin() as conn:
        conn.execute(TOKEN_STATE.versions.insert().values(
            user_id=user_id, permission_version=2, updated_at=datetime.now(UTC)))

    assert not is_signed_in(browser)
    assert sessions_of(portal_app, user_id) == []


def test_an_identity_session_ended_elsewhere_ends_the_portal_session(
        portal_app, accounts, email):
    browser = signed_in_browser(portal_app, email)
    user_id = accounts.accounts[email].id
    [session_id] = accounts.session_ids.values()

    with engine(portal_app).begin() as conn:
        conn.execute(TOKEN_STATE.ended_sessions.insert().values(
            session_id=session_id, user_id=user_id, ended_at=datetime.now(UTC)))

    assert not is_signed_in(browser)


def test_a_refused_refresh_ends_the_session(portal_app, accounts, email):
    browser = signed_in_browser(portal_app, email)
    with browser.session_transaction("/portal/") as session:
        session["access"] = recipient_token(accounts.accounts[email].id, email, lifetime=-10)
    accounts.sessions.clear()  # identity revoked the refresh token

    assert not is_signed_in(browser)
    assert sessions_of(portal_app, accounts.accounts[email].id) == []


def test_an_expired_session_is_not_used(portal_app, accounts, email):
    browser = signed_in_browser(portal_app, email)

    with engine(portal_app).begin() as conn:
        conn.execute(update(portal_sessions).values(
            expires_at=datetime.now(UTC) - timedelta(seconds=1)))

    assert not is_signed_in(browser)


@pytest.mark.parametrize("path", ["/portal/login", "/portal/s/some-link-token", "/portal/"])
def test_the_pages_do_not_answer_under_the_apis_prefix(portal_app, path):
    """Behind the gateway's /api/docportal/ the pages would miss the portal's protections."""
    response = portal_app.test_client().get(
        path, headers={"X-Forwarded-Prefix": "/api/docportal"})

    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"
    assert "Set-Cookie" not in response.headers

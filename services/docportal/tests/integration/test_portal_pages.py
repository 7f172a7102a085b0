"""The recipient pages end to end inside the app: link, register, claim, view, download.

Real database (SQLite and PostgreSQL), real SeaweedFS and SMTP sink; identity's recipient
accounts are the in-memory fake of portal_harness (the real identity is in
test_portal_with_identity.py).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from docportal_harness import PDF, PNG, make_config, outbox_events, table_rows, uploaded
from portal_harness import (
    PASSWORD,
    FakeRecipientAccounts,
    csrf_of,
    link_token,
    make_portal_app,
    recipient_token,
)
from sqlalchemy import select, update

from docportal.adapters.tables import share_refusals, shares
from docportal.service_layer.practices import record_identity_event
from servicekit.messaging.envelope import Subject, new_event

pytestmark = pytest.mark.integration

BROWSER = {"User-Agent": "Mozilla/5.0 (X11; Linux) Firefox/128.0",
           "X-Forwarded-For": "203.0.113.7"}


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
def browser(portal_app):
    return portal_app.test_client()


@pytest.fixture
def email() -> str:
    return f"dr.lee+{uuid.uuid4().hex[:8]}@example.org"


def send_share(staff, practice, mail_sink, email: str, content: bytes = PDF,
               filename: str = "plan.pdf") -> tuple[dict, dict, str]:
    document = uploaded(staff, practice, content=content, filename=filename)
    response = staff.post("/shares", headers=practice.headers, json={
        "document_ids": [document["id"]], "recipient_email": email, "purpose": "treatment",
        "message": "As discussed"})
    assert response.status_code == 201, response.get_json()
    return document, response.get_json(), link_token(mail_sink, email)


def register(browser, token: str, email: str, password: str = PASSWORD, **extra):
    page = browser.get(f"/portal/s/{token}", headers=BROWSER)
    assert page.status_code == 200
    return browser.post(f"/portal/s/{token}/register", headers=BROWSER, data={
        "csrf_token": csrf_of(page), "email": email, "full_name": "Dr Lee",
        "password": password, "password_confirm": password, **extra})


def sign_in(browser, email: str, password: str = PASSWORD, path: str = "/portal/login"):
    page = browser.get(path, headers=BROWSER)
    return browser.post("/portal/login", headers=BROWSER, data={
        "csrf_token": csrf_of(page), "email": email, "password": password})


def claimed(browser, token: str, email: str) -> None:
    response = register(browser, token, email)
    assert response.status_code == 302, response.get_data(as_text=True)
    opened = browser.get(response.headers["Location"], headers=BROWSER)
    assert opened.status_code == 302
    assert opened.headers["Location"].startswith("/portal/shared")


def tracking(staff, practice, share_id: str) -> dict:
    response = staff.get(f"/shares/{share_id}", headers=practice.headers)
    assert response.status_code == 200
    return response.get_json()


def refusals(app, share_id: str) -> list:
    return [r for r in table_rows(app, share_refusals) if r.share_id == share_id]


def test_recipient_registers_from_the_link_then_views_and_downloads(
        portal_app, staff, browser, practice, mail_sink, email, accounts):
    document, share, token = send_share(staff, practice, mail_sink, email,
                                        filename="Plan of care.pdf")

    link_page = browser.get(f"/portal/s/{token}", headers=BROWSER)
    assert link_page.status_code == 200
    assert b'id="register-form"' in link_page.data and b'id="sign-in-form"' in link_page.data
    assert email.encode() not in link_page.data  # the page does not say who it was for
    response = register(browser, token, email.upper())
    assert response.status_code == 302
    assert response.headers["Location"] == f"/portal/s/{token}"
    assert email in accounts.accounts

    opened = browser.get(f"/portal/s/{token}", headers=BROWSER)
    assert opened.status_code == 302
    listing = browser.get(opened.headers["Location"], headers=BROWSER)
    assert listing.status_code == 200
    text = listing.get_data(as_text=True)
    assert "Plan of care.pdf" in text and f'id="share-{share["id"]}"' in text
    assert f'id="document-{document["id"]}"' in text

    page = browser.get(f"/portal/documents/{document['id']}", headers=BROWSER)
    assert page.status_code == 200
    assert b'id="document-frame"' in page.data and b'id="download-link"' in page.data

    inline = browser.get(f"/portal/documents/{document['id']}/file", headers=BROWSER)
    assert inline.status_code == 200 and inline.data == PDF
    assert inline.headers["Content-Type"] == "application/pdf"
    assert inline.headers["Content-Disposition"].startswith("inline;")
    download = browser.get(f"/portal/documents/{document['id']}/file?download=1",
                           headers=BROWSER)
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Content-Disposition"].startswith("attachment;")

    seen = tracking(staff, practice, share["id"])
    assert seen["status"] == "claimed" and seen["claimed_at"]
    assert seen["views"] == 2 and seen["downloads"] == 1  # the link's page, the inline PDF
    assert all("203.0.113.7" in a["client"] and "Firefox" in a["client"]
               for a in seen["activity"])
    for event_type in ("docportal.share.claimed", "docportal.share.viewed",
                       "docportal.document.viewed", "docportal.document.downloaded"):
        [event] = outbox_events(portal_app, event_type)
        assert event["patient_id"] == practice.patient_id
        assert event["actor"]["kind"] == "recipient"
        assert event["actor"]["id"] == accounts.accounts[email].id


def test_another_account_opening_the_link_is_refused_recorded_and_evented(
        portal_app, staff, browser, practice, mail_sink, email, accounts):
    _, share, token = send_share(staff, practice, mail_sink, email)
    stranger = f"eve-{uuid.uuid4().hex[:6]}@example.net"
    accounts.add(stranger)

    browser.get(f"/portal/s/{token}", headers=BROWSER)  # anonymous: the sign-in page
    signed_in = sign_in(browser, stranger, path=f"/portal/s/{token}")
    assert signed_in.headers["Location"] == f"/portal/s/{token}"
    refused = browser.get(f"/portal/s/{token}", headers=BROWSER)

    assert refused.status_code == 403
    assert b'data-code="wrong_recipient"' in refused.data
    assert email.encode() not in refused.data
    [row] = refusals(portal_app, share["id"])
    assert row.reason == "wrong_recipient" and row.account_id == accounts.accounts[stranger].id
    [event] = outbox_events(portal_app, "docportal.share.access_refused")
    assert event["patient_id"] == practice.patient_id
    assert event["subject"] == {"type": "share", "id": share["id"]}
    assert event["data"]["reason"] == "wrong_recipient"
    assert tracking(staff, practice, share["id"])["status"] == "sent"


def test_registering_from_the_link_with_another_address_is_refused(
        portal_app, staff, browser, practice, mail_sink, email, accounts):
    _, share, token = send_share(staff, practice, mail_sink, email)

    response = register(browser, token, "eve@example.net")

    assert response.status_code == 422
    assert b'id="register-error"' in response.data
    assert accounts.accounts == {}
    assert [r.reason for r in refusals(portal_app, share["id"])] == [
        "registration_email_mismatch"]


def test_a_link_not_opened_within_24_hours_shows_410_asking_to_share_again(
        portal_app, staff, browser, practice, mail_sink, email, accounts):
    _, share, token = send_share(staff, practice, mail_sink, email)
    age_share(portal_app, share["id"], timedelta(hours=24, minutes=1))

    response = register(browser, token, email)

    assert response.status_code == 410
    assert b"Ask the sender to share it again" in response.data
    assert accounts.accounts == {}  # no proof, no account, for a dead link
    accounts.add(email)
    sign_in(browser, email)
    again = browser.get(f"/portal/s/{token}", headers=BROWSER)
    assert again.status_code == 410 and b'data-code="share_expired"' in again.data
    assert [r.reason for r in refusals(portal_app, share["id"])] == [
        "share_expired", "share_expired"]


def test_revoking_stops_the_next_page_view_and_download(
        portal_app, staff, browser, practice, mail_sink, email):
    document, share, token = send_share(staff, practice, mail_sink, email, content=PNG,
                                        filename="xray.png")
    claimed(browser, token, email)
    page = browser.get(f"/portal/documents/{document['id']}", headers=BROWSER)
    assert page.status_code == 200 and b'id="document-image"' in page.data

    assert staff.post(f"/shares/{share['id']}/revoke",
                      headers=practice.headers).status_code == 200

    for path in (f"/portal/documents/{document['id']}",
                 f"/portal/documents/{document['id']}/file",
                 f"/portal/documents/{document['id']}/file?download=1",
                 f"/portal/s/{token}"):
        response = browser.get(path, headers=BROWSER)
        assert response.status_code == 410, path
        assert b'data-code="share_revoked"' in response.data
    assert b"xray.png" not in browser.get("/portal/shared", headers=BROWSER).data
    assert {r.reason for r in refusals(portal_app, share["id"])} == {"share_revoked"}
    assert len(outbox_events(portal_app, "docportal.share.access_refused")) == 4


def test_a_document_not_shared_with_this_account_is_not_found(
        portal_app, staff, browser, practice, mail_sink, email):
    _, _, token = send_share(staff, practice, mail_sink, email)
    claimed(browser, token, email)
    other = uploaded(staff, practice)

    for path in (f"/portal/documents/{other['id']}", f"/portal/documents/{other['id']}/file"):
        response = browser.get(path, headers=BROWSER)
        assert response.status_code == 404
        assert b'id="problem-title"' in response.data


def test_unknown_links_and_pages_get_html_not_found_pages(browser):
    unknown = browser.get(f"/portal/s/{'x' * 43}")
    assert unknown.status_code == 404 and b'data-code="share_link_unknown"' in unknown.data
    page = browser.get("/portal/no-such-page")
    assert page.status_code == 404 and page.content_type.startswith("text/html")


def test_pages_need_a_signed_in_recipient(browser):
    for path in ("/portal/shared", "/portal/documents/abc", "/portal/documents/abc/file"):
        response = browser.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/portal/login?next=")


def test_forms_without_this_sessions_csrf_token_are_refused(browser, accounts, email):
    accounts.add(email)
    browser.get("/portal/login")

    for token in (None, "forged"):
        data = {"email": email, "password": PASSWORD}
        if token:
            data["csrf_token"] = token
        response = browser.post("/portal/login", data=data)
        assert response.status_code == 400 and b'data-code="form_expired"' in response.data
    assert accounts.sessions == {}


def test_the_session_cookie_is_http_only_same_site_and_scoped_to_the_portal(
        browser, accounts, email):
    accounts.add(email)
    response = sign_in(browser, email)

    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("clinic_portal=")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/portal" in cookie
    assert "Secure" not in cookie


def test_cookie_is_secure_when_configured(database_url, tmp_path, seaweedfs, smtp_url,
                                          accounts, email):
    config = make_config(database_url, tmp_path, seaweedfs, smtp_url, portal_cookie_secure=True)
    app = make_portal_app(config, accounts)
    accounts.add(email)
    response = sign_in(app.test_client(), email)
    assert "Secure" in response.headers["Set-Cookie"]
    app.extensions["servicekit.runtime"].close()


@pytest.mark.parametrize(("setup", "status", "words"), [
    (lambda accounts, email: None, 401, "email or password is wrong"),
    (lambda accounts, email: setattr(accounts, "locked", True), 429, "try again"),
])
def test_identity_refusals_are_form_messages(browser, accounts, email, setup, status, words):
    accounts.add(email, "another long password")
    setup(accounts, email)

    response = sign_in(browser, email)

    assert response.status_code == status
    assert b'id="form-error"' in response.data and words.encode() in response.data
    assert b'id="sign-in-form"' in response.data


def test_registration_refusals_are_form_messages(
        staff, browser, practice, mail_sink, email, accounts):
    _, _, token = send_share(staff, practice, mail_sink, email)

    weak = register(browser, token, email, password="short")
    assert weak.status_code == 422 and b"at least 12 characters" in weak.data
    accounts.add(email)
    exists = register(browser, token, email)
    assert exists.status_code == 409 and b'id="register-exists-help"' in exists.data


def test_identity_down_is_a_503_page(browser, accounts, email):
    accounts.down = True

    response = sign_in(browser, email)

    assert response.status_code == 503
    assert b'data-code="identity_unavailable"' in response.data


def test_a_recipient_with_an_expired_token_is_signed_in_again_by_refreshing(
        browser, accounts, email):
    accounts.add(email)
    assert sign_in(browser, email).status_code == 302
    [refresh] = accounts.sessions
    with browser.session_transaction("/portal/") as session:
        session["access"] = recipient_token(accounts.accounts[email].id, email, lifetime=-10)

    response = browser.get("/portal/shared")

    assert response.status_code == 200 and email.encode() in response.data
    assert refresh not in accounts.sessions and len(accounts.sessions) == 1


def test_a_staff_token_in_the_cookie_is_never_a_recipient(browser, accounts, email):
    accounts.add(email)
    sign_in(browser, email)
    with browser.session_transaction("/portal/") as session:
        session["access"] = recipient_token(str(uuid.uuid4()), email, kind="staff")
        session["refresh"] = "gone"

    assert browser.get("/portal/shared").status_code == 302


def test_sign_out_ends_the_session_here_and_at_identity(browser, accounts, email):
    accounts.add(email)
    page = browser.get("/portal/login")
    browser.post("/portal/login", data={"csrf_token": csrf_of(page), "email": email,
                                        "password": PASSWORD})
    shared = browser.get("/portal/shared")

    response = browser.post("/portal/logout", data={"csrf_token": csrf_of(shared)})

    assert response.status_code == 302 and accounts.sessions == {}
    assert browser.get("/portal/shared").status_code == 302


def test_forgot_and_reset_password(browser, accounts, email):
    accounts.add(email)
    page = browser.get("/portal/forgot-password")
    sent = browser.post("/portal/forgot-password", data={"csrf_token": csrf_of(page),
                                                         "email": email})
    assert sent.status_code == 200 and b'id="forgot-sent"' in sent.data
    [reset_token] = accounts.resets

    form = browser.get(f"/portal/reset-password?token={reset_token}")
    assert form.status_code == 200 and b'id="reset-form"' in form.data
    new_password = "a brand new long passphrase"
    done = browser.post("/portal/reset-password", data={
        "csrf_token": csrf_of(form), "token": reset_token, "password": new_password,
        "password_confirm": new_password})
    assert done.status_code == 302 and done.headers["Location"] == "/portal/login"
    assert accounts.accounts[email].password == new_password

    form = browser.get(f"/portal/reset-password?token={reset_token}")  # a used link
    again = browser.post("/portal/reset-password", data={
        "csrf_token": csrf_of(form), "token": reset_token, "password": new_password,
        "password_confirm": new_password})
    assert again.status_code == 410 and b'id="forgot-again-link"' in again.data


def test_forgot_password_for_an_unknown_address_says_the_same(browser, accounts):
    page = browser.get("/portal/forgot-password")
    sent = browser.post("/portal/forgot-password", data={"csrf_token": csrf_of(page),
                                                         "email": "nobody@example.org"})
    assert sent.status_code == 200 and b'id="forgot-sent"' in sent.data


def test_html_pages_stay_out_of_the_openapi_document(browser):
    paths = browser.get("/openapi.json").get_json()["paths"]
    assert not [p for p in paths if p.startswith("/portal")]


def age_share(app, share_id: str, age: timedelta) -> None:
    """Move the share's sending back in time (the clock of the claim window)."""
    with app.extensions["servicekit.runtime"].engine.begin() as conn:
        sent_at = conn.execute(select(shares.c.sent_at).where(shares.c.id == share_id)).scalar()
        conn.execute(update(shares).where(shares.c.id == share_id)
                     .values(sent_at=sent_at - age))



def feed_identity(app, *events) -> None:
    """What the docportal.identity consumer does with identity's events."""
    for event in events:
        with app.extensions["servicekit.runtime"].uow() as uow:
            record_identity_event(uow, event)
            uow.commit()


def test_the_portal_shows_times_in_the_sending_practices_clinic_time_zone(
        portal_app, staff, browser, practice, mail_sink, email):
    now = datetime.now(UTC)
    clinic_id = str(uuid.uuid4())
    feed_identity(portal_app, new_event(
        "identity.practice.created", subject=Subject("practice", practice.org_id),
        org_id=practice.org_id, data={"name": "Harbour Physio", "clinics": [
            {"id": clinic_id, "name": "Harbour Physio", "assistants_may_finalize": True,
             "time_zone": "America/New_York"}]}))
    feed_identity(portal_app, new_event(  # another clinic's zone is not the practice's
        "identity.clinic.created", subject=Subject("clinic", str(uuid.uuid4())),
        org_id=practice.org_id, data={"name": "Tokyo", "time_zone": "Asia/Tokyo"}))
    document, share, token = send_share(staff, practice, mail_sink, email)
    claimed(browser, token, email)

    sent = datetime.fromisoformat(tracking(staff, practice, share["id"])["sent_at"])
    local = sent.astimezone(ZoneInfo("America/New_York"))
    listing = browser.get("/portal/shared", headers=BROWSER).get_data(as_text=True)
    assert f"{local.day} {local:%b %Y, %H:%M} {local.tzname()}" in listing
    assert "UTC" not in listing and local.tzname() in ("EST", "EDT")
    page = browser.get(f"/portal/documents/{document['id']}", headers=BROWSER)
    assert f"shared on\n  <time datetime=\"{sent.isoformat()}\">{local.day} {local:%b %Y}" \
        in page.get_data(as_text=True)
    assert abs(sent - now) < timedelta(minutes=5)

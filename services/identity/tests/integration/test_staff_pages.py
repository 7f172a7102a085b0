"""The staff pages under /app/: every link identity mails opens a page that works, and an
expired, used or revoked link says what to do next."""

from __future__ import annotations

import sys
import uuid
from datetime import timedelta
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from staff_pages_harness import (  # noqa: E402
    NEW_PASSWORD,
    PASSWORD,
    csrf_of,
    enrol,
    mailed_link,
    sign_in,
    submit,
)

from identity.adapters.signing_keys import new_private_key_pem
from identity.app import create_app
from identity.bootstrap import Identity
from identity.service_layer.practices import create_practice
from identity.spec import SPEC
from servicekit.migrations import upgrade
from servicekit.totp_wallet import sign_in_through

pytestmark = pytest.mark.integration
OWNER = "owner@harbourphysio.example"


@pytest.fixture
def app(database_url, tmp_path, mail_sink):
    upgrade(SPEC.migrations_dir, database_url)
    app = create_app(SPEC.load_config(
        local_dir=tmp_path, database_url=database_url, bus_url="memory://",
        jwt_private_keys=new_private_key_pem(), smtp_url=mail_sink.url,
        staff_app_url="http://127.0.0.1:8080/app"))
    app.config["TESTING"] = True
    yield app
    app.extensions["servicekit.runtime"].close()


@pytest.fixture
def ident(app):
    return app.extensions["identity"]


@pytest.fixture
def practice(ident):
    return create_practice(ident.uow(), name="Harbour Physio", owner_email=OWNER,
                           owner_password=PASSWORD, seats=10, catalog=ident.catalog,
                           hashing=ident.hashing)


@pytest.fixture
def admin(app, practice):
    browser = app.test_client()
    response = sign_in_through(browser, {"email": OWNER, "password": PASSWORD})
    return {"Authorization": f"Bearer {response.get_json()['access_token']}"}


def someone() -> str:
    return f"invitee-{uuid.uuid4().hex[:12]}@harbourphysio.example"


def invite(app, admin, email: str, **fields) -> None:
    body = {"full_name": "Sam Lee", "email": email, "practice_role": "front_desk",
            "user_type": "Front Office", **fields}
    response = app.test_client().post("/invitations", json=body, headers=admin)
    assert response.status_code == 201, response.get_json()


def text(response) -> str:
    return response.get_data(as_text=True)


def test_the_invitation_link_opens_a_page_that_signs_the_new_member_in(
        app, admin, mail_sink):
    email = someone()
    invite(app, admin, email)
    link = mailed_link(mail_sink.to(email)[-1])
    assert link.startswith("/app/accept-invitation?token=")
    browser = app.test_client()

    page = browser.get(link)
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert "Harbour Physio" in text(page) and 'value="Sam Lee"' in text(page)
    joined = submit(browser, link, full_name="Samantha Lee", password=NEW_PASSWORD,
                    password_confirm=NEW_PASSWORD)
    assert joined.status_code == 302 and joined.headers["Location"].endswith("/app/home")

    home = browser.get("/app/home")
    assert home.status_code == 200
    for shown in ("Samantha Lee", "Harbour Physio", "front desk", "Front Office",
                  "View patients"):
        assert shown in text(home)
    again = browser.get(link)
    assert again.status_code == 410 and 'data-code="link_unusable"' in text(again)
    assert "Sign in if you already joined" in text(again)


def test_a_practitioner_chooses_a_clinical_role_and_is_warned_of_a_duplicate_record(
        app, admin, mail_sink):
    dentist = dict(practice_role="practitioner", clinical_role="dentist", user_type="PT",
                   full_name="Dr Anh Nguyen")
    first, second = someone(), someone()
    invite(app, admin, first, **dentist)
    browser = app.test_client()
    submit(browser, mailed_link(mail_sink.to(first)[-1]), full_name="Dr Anh Nguyen",
           clinical_role="dentist", practitioner="new", password=NEW_PASSWORD,
           password_confirm=NEW_PASSWORD)
    invite(app, admin, second, **dentist, confirm_new_practitioner=True)
    link = mailed_link(mail_sink.to(second)[-1])
    browser = app.test_client()

    page = browser.get(link)
    assert 'id="clinical-role"' in text(page) and 'id="practitioner-new"' in text(page)
    warned = browser.post("/app/accept-invitation", data={
        "csrf_token": csrf_of(page), "token": link.split("=", 1)[1],
        "full_name": "dr anh  nguyen", "clinical_role": "hygienist", "practitioner": "new",
        "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
    assert warned.status_code == 409 and 'id="duplicate-warning"' in text(warned)
    joined = browser.post("/app/accept-invitation", data={
        "csrf_token": csrf_of(warned), "token": link.split("=", 1)[1],
        "full_name": "Anh Nguyen", "clinical_role": "hygienist", "practitioner": "new",
        "confirm_new_practitioner": "yes", "password": NEW_PASSWORD,
        "password_confirm": NEW_PASSWORD})
    assert joined.status_code == 302
    assert "hygienist" in text(browser.get("/app/home"))


def test_an_expired_invitation_link_says_to_ask_for_a_resend(app, admin, mail_sink,
                                                            monkeypatch):
    email = someone()
    invite(app, admin, email)
    link = mailed_link(mail_sink.to(email)[-1])
    later = Identity.now() + timedelta(days=8)
    monkeypatch.setattr(Identity, "now", staticmethod(lambda: later))
    page = app.test_client().get(link)
    assert page.status_code == 410 and page.mimetype == "text/html"
    assert 'data-code="link_expired"' in text(page) and "resend" in text(page)


def test_a_revoked_invitation_link_says_so(app, admin, mail_sink):
    email = someone()
    invite(app, admin, email)
    link = mailed_link(mail_sink.to(email)[-1])
    [listed] = [i for i in app.test_client().get("/invitations", headers=admin).get_json()
                if i["email"] == email]
    app.test_client().post(f"/invitations/{listed['id']}/revoke", headers=admin)
    page = app.test_client().get(link)
    assert page.status_code == 410 and "was revoked" in text(page)


def test_a_link_without_a_token_is_a_page_not_a_404(app):
    for path in ("/app/accept-invitation", "/app/reset-password", "/app/get-started"):
        page = app.test_client().get(path)
        assert page.status_code == 410 and page.mimetype == "text/html", path


def test_sign_in_sign_out_and_the_home_page(app, practice):
    browser = app.test_client()
    wrong = sign_in(browser, OWNER, "not the password at all")
    assert wrong.status_code == 401 and 'id="form-error"' in text(wrong)
    signed = sign_in(browser, OWNER)
    assert signed.status_code == 302
    cookie = signed.headers["Set-Cookie"]
    assert "clinic_staff=" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Path=/app" in cookie
    home = browser.get("/app/home")
    assert home.status_code == 200 and "Manage users" in text(home)
    assert home.headers["Cache-Control"] == "private, no-store"
    out = browser.post("/app/logout", data={"csrf_token": csrf_of(home)})
    assert out.status_code == 302
    assert browser.get("/app/home").headers["Location"].startswith("/app/login")


def test_a_form_without_this_sessions_csrf_token_is_refused(app, practice):
    refused = app.test_client().post("/app/login", data={"email": OWNER, "password": PASSWORD})
    assert refused.status_code == 400 and 'data-code="form_expired"' in text(refused)


def test_the_reset_mail_link_sets_a_new_password_and_ends_the_old_sessions(
        app, practice, mail_sink, ident):
    old = app.test_client()
    sign_in(old, OWNER)
    asked = submit(app.test_client(), "/app/forgot-password", email=OWNER)
    assert asked.status_code == 200 and 'id="forgot-sent"' in text(asked)
    assert ident.after_answer.drain()  # the mail goes out after the answer
    link = mailed_link(mail_sink.to(OWNER)[-1])
    assert link.startswith("/app/reset-password?token=")
    browser = app.test_client()
    changed = submit(browser, link, password=NEW_PASSWORD, password_confirm=NEW_PASSWORD)
    assert changed.status_code == 302
    assert old.get("/app/home").status_code == 302  # the old session ended
    assert sign_in(browser, OWNER, NEW_PASSWORD).status_code == 302
    used = browser.get(link)
    assert used.status_code == 410 and "already used" in text(used)


def test_the_get_started_link_of_an_added_account_sets_its_first_password(app, ident):
    created = create_practice(ident.uow(), name="Bayside Rehab", owner_email="o@bayside.example",
                              seats=5, catalog=ident.catalog, hashing=ident.hashing)
    link = f"/app/get-started?token={created.password_setup_token}"
    browser = app.test_client()
    page = browser.get(link)
    assert page.status_code == 200 and "o@bayside.example" in text(page)
    done = submit(browser, link, password=NEW_PASSWORD, password_confirm=NEW_PASSWORD)
    # The owner is a User Manager: the authenticator app is set up before anything else.
    assert done.status_code == 302
    assert done.headers["Location"].endswith("/app/second-factor/enrol")
    assert enrol(browser, "o@bayside.example").status_code == 302
    assert "Bayside Rehab" in text(browser.get("/app/home"))


def test_any_other_address_under_app_is_a_page(app):
    page = app.test_client().get("/app/nothing-here")
    assert page.status_code == 404 and page.mimetype == "text/html"

"""The recipient pages against the REAL identity service, served over HTTP in a thread.

Both apps share LOCAL_DIR, hence the recipient-proof secret, as on the local stack. Staff
tokens are the harness's; the docportal app trusts both the harness key and identity's.
"""

from __future__ import annotations

import re
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from docportal_harness import JWKS, PDF, make_config, outbox_events, uploaded
from portal_harness import csrf_of, link_token
from werkzeug.serving import make_server

from docportal.app import create_app
from docportal.spec import SPEC as DOCPORTAL
from servicekit.auth import TokenVerifier
from servicekit.migrations import upgrade
from servicekit_testing.fixtures import wait_for
from servicekit_testing.servers import free_port

pytest.importorskip("identity.api.recipients", reason="identity's recipient accounts not built")

from identity.adapters.signing_keys import new_private_key_pem  # noqa: E402
from identity.app import create_app as create_identity_app  # noqa: E402
from identity.spec import SPEC as IDENTITY  # noqa: E402

pytestmark = pytest.mark.integration

PASSWORD = "seven orange kites drifting"
RESET_LINK = re.compile(r"https://clinic\.example/portal/reset-password\?token=([A-Za-z0-9_%-]+)")


@dataclass
class Identity:
    app: object
    url: str


@pytest.fixture
def identity(tmp_path, mail_sink) -> Iterator[Identity]:
    url = f"sqlite:///{tmp_path / 'identity.db'}"
    upgrade(IDENTITY.migrations_dir, url)
    app = create_identity_app(IDENTITY.load_config(
        local_dir=tmp_path, database_url=url, jwt_private_keys=new_private_key_pem(),
        bus_url="memory://", smtp_url=mail_sink.url,
        portal_base_url="https://clinic.example/portal"))
    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Identity(app, f"http://127.0.0.1:{port}")
    server.shutdown()
    thread.join(timeout=10)
    app.extensions["servicekit.runtime"].close()


@pytest.fixture
def portal_app(database_url, tmp_path, seaweedfs, smtp_url, identity):
    config = make_config(database_url, tmp_path, seaweedfs, smtp_url, identity_url=identity.url)
    upgrade(DOCPORTAL.migrations_dir, config.database_url)
    trusted = {"keys": JWKS["keys"] + identity.app.extensions["identity"].keys.jwks()["keys"]}
    app = create_app(config, verifier=TokenVerifier(
        issuer=config.jwt_issuer, audience=config.jwt_audience, jwks=trusted))
    app.config["TESTING"] = True
    yield app
    app.extensions["servicekit.runtime"].close()


def share_with(client, practice, mail_sink, email: str) -> tuple[dict, str]:
    document = uploaded(client, practice, content=PDF)
    response = client.post("/shares", headers=practice.headers, json={
        "document_ids": [document["id"]], "recipient_email": email, "purpose": "treatment"})
    assert response.status_code == 201, response.get_json()
    return document, link_token(mail_sink, email)


def register(browser, token: str, email: str, password: str = PASSWORD):
    page = browser.get(f"/portal/s/{token}")
    return browser.post(f"/portal/s/{token}/register", data={
        "csrf_token": csrf_of(page), "email": email, "full_name": "Dr Lee",
        "password": password, "password_confirm": password})


def sign_in(browser, email: str, password: str = PASSWORD):
    page = browser.get("/portal/login")
    return browser.post("/portal/login", data={"csrf_token": csrf_of(page), "email": email,
                                               "password": password})


def new_email() -> str:
    return f"dr.lee+{uuid.uuid4().hex[:8]}@example.org"


def test_a_recipient_registers_at_identity_from_the_link_and_opens_the_document(
        portal_app, practice, mail_sink):
    staff, browser, email = portal_app.test_client(), portal_app.test_client(), new_email()
    document, token = share_with(staff, practice, mail_sink, email)

    registered = register(browser, token, email)
    assert registered.status_code == 302, registered.get_data(as_text=True)
    opened = browser.get(registered.headers["Location"])
    assert opened.status_code == 302 and opened.headers["Location"].startswith("/portal/shared")
    shown = browser.get(f"/portal/documents/{document['id']}/file")

    assert shown.status_code == 200 and shown.data == PDF
    [claimed] = outbox_events(portal_app, "docportal.share.claimed")
    assert claimed["actor"]["kind"] == "recipient" and claimed["actor"]["email"] == email
    again = register(portal_app.test_client(), token, email)
    assert again.status_code == 409  # the account exists: sign in instead


def test_another_recipient_account_is_refused_by_the_link(portal_app, practice, mail_sink):
    staff, email, other_email = portal_app.test_client(), new_email(), new_email()
    _, token = share_with(staff, practice, mail_sink, email)
    _, other_token = share_with(staff, practice, mail_sink, other_email)
    other = portal_app.test_client()
    assert register(other, other_token, other_email).status_code == 302

    refused = other.get(f"/portal/s/{token}")

    assert refused.status_code == 403 and b'data-code="wrong_recipient"' in refused.data
    [event] = outbox_events(portal_app, "docportal.share.access_refused")
    assert event["data"]["reason"] == "wrong_recipient"


def test_wrong_password_is_a_form_message(portal_app, practice, mail_sink):
    staff, email = portal_app.test_client(), new_email()
    _, token = share_with(staff, practice, mail_sink, email)
    register(portal_app.test_client(), token, email)

    response = sign_in(portal_app.test_client(), email, "not the password at all")

    assert response.status_code == 401 and b'id="form-error"' in response.data


def browser_at(portal_app, address: str):
    browser = portal_app.test_client()
    browser.environ_base["REMOTE_ADDR"] = address
    return browser


def test_a_guesser_through_the_portal_waits_and_the_recipient_still_gets_in(
        portal_app, practice, mail_sink):
    """Identity throttles per visitor address, which the portal forwards: a guesser never
    locks the recipient out of the portal (all of them reach identity from one server)."""
    staff, email = portal_app.test_client(), new_email()
    _, token = share_with(staff, practice, mail_sink, email)
    register(portal_app.test_client(), token, email)

    guesser = browser_at(portal_app, "203.0.113.9")
    answers = [sign_in(guesser, email, f"guess {n}").status_code for n in range(6)]

    assert answers == [401] * 4 + [429] * 2
    assert sign_in(browser_at(portal_app, "198.51.100.20"), email).status_code == 302


def test_a_forgotten_password_is_reset_from_identitys_email(portal_app, practice, mail_sink):
    staff, browser, email = portal_app.test_client(), portal_app.test_client(), new_email()
    _, token = share_with(staff, practice, mail_sink, email)
    register(portal_app.test_client(), token, email)

    page = browser.get("/portal/forgot-password")
    sent = browser.post("/portal/forgot-password", data={"csrf_token": csrf_of(page),
                                                         "email": email})
    assert sent.status_code == 200 and b'id="forgot-sent"' in sent.data
    # Identity mails the link after its answer: poll the sink, with a deadline.
    [mail] = wait_for(lambda: [m for m in mail_sink.to(email)
                               if RESET_LINK.search(m.get_content())])
    reset_token = RESET_LINK.search(mail.get_content()).group(1)
    form = browser.get(f"/portal/reset-password?token={reset_token}")
    new_password = "nine quiet harbours at dawn"
    done = browser.post("/portal/reset-password", data={
        "csrf_token": csrf_of(form), "token": reset_token, "password": new_password,
        "password_confirm": new_password})

    assert done.status_code == 302, done.get_data(as_text=True)
    assert sign_in(browser, email, new_password).status_code == 302
    assert sign_in(portal_app.test_client(), email, PASSWORD).status_code == 401


def test_identity_out_of_reach_is_a_503_page(database_url, tmp_path, seaweedfs, smtp_url):
    config = make_config(database_url, tmp_path, seaweedfs, smtp_url,
                         identity_url=f"http://127.0.0.1:{free_port()}")
    upgrade(DOCPORTAL.migrations_dir, config.database_url)
    app = create_app(config, verifier=TokenVerifier(
        issuer=config.jwt_issuer, audience=config.jwt_audience, jwks=JWKS))

    response = sign_in(app.test_client(), new_email())

    assert response.status_code == 503 and b'data-code="identity_unavailable"' in response.data
    app.extensions["servicekit.runtime"].close()

"""Guessing passwords and share links: slowed down, and no answer tells what exists.

Only the shape of answers is compared (status, bytes of the body); never their timing.
"""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime, timedelta

import pytest
from security_apps import PASSWORD, identity_practice
from security_tokens import bearer, mint

from servicekit.totp_wallet import sign_in_through

pytestmark = pytest.mark.integration

OWNER = "owner@harbourphysio.example"


class Clock:
    def __init__(self) -> None:
        self.at = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.at


@pytest.fixture
def clock(identity) -> Clock:
    """Identity's time, set by the test (a guessing address waits; nobody waits for it)."""
    clock = Clock()
    object.__setattr__(identity.extensions["identity"], "now", clock)
    return clock


def sign_in(client, email: str, password: str):
    return client.post("/login", json={"email": email, "password": password})


def test_guessing_slows_the_guessing_address_and_never_locks_the_owner_out(identity, clock):
    identity_practice(identity)
    client = identity.test_client()
    answers = [sign_in(client, OWNER, f"guess {n}").status_code for n in range(10)]
    assert answers == [401] * 4 + [429] * 6

    waiting = sign_in(client, OWNER, PASSWORD)
    assert waiting.status_code == 429
    assert set(waiting.get_json()["error"]) == {"code", "message", "details"}
    assert 0 < int(waiting.headers["Retry-After"]) <= 30
    # The owner, from an address that never failed, gets in at once.
    owner = sign_in_through(client, {"email": OWNER, "password": PASSWORD},
                            headers={"X-Forwarded-For": "198.51.100.20"})
    assert owner.status_code == 200

    clock.at += timedelta(seconds=31)
    assert sign_in_through(client, {"email": OWNER, "password": PASSWORD}).status_code == 200


def test_an_unknown_email_and_a_wrong_password_get_byte_identical_answers(identity, clock):
    identity_practice(identity)
    client = identity.test_client()
    unknown_email = "nobody-here@harbourphysio.example"

    for attempt in range(12):  # before, at and after the address must wait
        wrong = sign_in(client, OWNER, f"guess {attempt}")
        unknown = sign_in(client, unknown_email, f"guess {attempt}")
        assert wrong.status_code == unknown.status_code, attempt
        assert wrong.get_data() == unknown.get_data(), attempt
        assert wrong.headers.get("Retry-After") == unknown.headers.get("Retry-After")
        assert wrong.headers.get("Content-Type") == unknown.headers.get("Content-Type")
    assert wrong.status_code == 429


def test_wrong_account_kinds_answer_like_a_wrong_password(identity, clock):
    identity_practice(identity)
    client = identity.test_client()
    wrong = sign_in(client, "someone@harbourphysio.example", "not it at all")
    for account in ("recipient", "vendor"):
        # The owner's right password, asked for as another kind of account.
        other = client.post("/login", json={"email": OWNER, "password": PASSWORD,
                                            "account": account})
        assert (other.status_code, other.get_data()) == (wrong.status_code, wrong.get_data())


# --- share links -------------------------------------------------------------------

def normalized(page: str, token: str) -> str:
    """The page with the token it was asked for and its session's CSRF token blanked."""
    page = page.replace(token, "<token>")
    return re.sub(r'name="csrf_token" value="[^"]*"', 'name="csrf_token" value=""', page)


def share_a_document(client, org_id: str) -> str:
    from io import BytesIO

    headers = bearer(mint(None, org_id, perms=("share_documents", "view_patients")))
    document = client.post("/documents", headers=headers, content_type="multipart/form-data",
                           data={"patient_id": "p-1", "kind": "plan_of_care",
                                 "file": (BytesIO(b"%PDF-1.7\n%%EOF\n"), "plan.pdf")})
    assert document.status_code == 201, document.get_json()
    share = client.post("/shares", headers=headers, json={
        "document_ids": [document.get_json()["id"]], "recipient_email": "dr.guess@example.org",
        "purpose": "treatment"})
    assert share.status_code == 201, share.get_json()
    return share.get_json()["id"]


def the_link_token(mail_sink, email: str) -> str:
    [mail] = mail_sink.to(email)[-1:]
    return re.search(r"/portal/s/([A-Za-z0-9_-]{43})", mail.get_content()).group(1)


def test_unknown_share_links_all_get_the_same_page_whatever_is_guessed(docportal, mail_sink):
    import uuid

    client = docportal.test_client()
    share_a_document(client, str(uuid.uuid4()))
    real = the_link_token(mail_sink, "dr.guess@example.org")
    flipped = real[:-1] + ("A" if real[-1] != "A" else "B")
    guesses = [secrets.token_urlsafe(32) for _ in range(5)] + [
        flipped, real[:20], real + "x", "zq9", "0" * 43, "~.-_"]

    answers = []
    for guess in guesses:
        fresh = docportal.test_client()  # a new browser: no session, no cookie
        response = fresh.get(f"/portal/s/{guess}")
        answers.append((response.status_code, response.mimetype,
                        normalized(response.get_data(as_text=True), guess)))
    assert len(set(answers)) == 1, [a[:2] for a in answers]
    status, mimetype, page = answers[0]
    assert status == 404 and mimetype == "text/html"
    assert "dr.guess@example.org" not in page

"""A practice reads who tried to sign in to its staff's accounts: identity's sign-in events,
failed and successful, with the source address and browser, in GET /events."""

from __future__ import annotations

import hashlib

import pytest
from audit_harness import new_id, practice_created, user_created

from servicekit.messaging.envelope import Actor, Subject, new_event

pytestmark = pytest.mark.integration
EMAIL = "owner@sunrise.example"


def sign_in_failed(org_id: str | None, address: str, reason: str = "wrong_credentials"):
    """The event as identity publishes it: no actor, the subject a hash of the email."""
    return new_event(
        "identity.session.sign_in_failed",
        subject=Subject("sign_in", hashlib.sha256(EMAIL.encode()).hexdigest()[:32]),
        org_id=org_id, data={
            "email": EMAIL, "account": "staff", "reason": reason,
            "throttled": reason == "throttled",
            "retry_after_seconds": 30 if reason == "throttled" else None,
            "source_address": address, "user_agent": "Guesser/1.0"})


def signed_in(org_id: str, user_id: str, address: str):
    return new_event(
        "identity.session.signed_in", subject=Subject("user", user_id), org_id=org_id,
        actor=Actor(id=user_id, email=EMAIL, kind="staff", user_type="PT"),
        data={"session_id": new_id(), "account": "staff", "source_address": address,
              "user_agent": "Firefox/140.0"})


def test_a_practice_lists_the_failed_and_successful_sign_ins_of_its_staff(feed, app_client):
    client, bearer = app_client
    org, owner, elsewhere = new_id(), new_id(), new_id()
    feed(practice_created(org, owner), user_created(org, owner, EMAIL),
         practice_created(elsewhere, new_id()))
    feed(sign_in_failed(org, "203.0.113.9"), sign_in_failed(org, "203.0.113.9", "throttled"),
         signed_in(org, owner, "198.51.100.20"), sign_in_failed(None, "203.0.113.10"))

    failed = client.get("/events", query_string={"type": "identity.session.sign_in_failed"},
                        headers=bearer(org))
    succeeded = client.get("/events", query_string={"type": "identity.session.signed_in"},
                           headers=bearer(org))
    other = client.get("/events", query_string={"type": "identity.session.sign_in_failed"},
                       headers=bearer(elsewhere))

    assert failed.status_code == 200, failed.get_json()
    data = [e["event"]["data"] for e in failed.get_json()["events"]]
    assert [(d["source_address"], d["reason"]) for d in data] == [
        ("203.0.113.9", "wrong_credentials"), ("203.0.113.9", "throttled")]
    assert {d["user_agent"] for d in data} == {"Guesser/1.0"}
    [session] = succeeded.get_json()["events"]
    assert session["event"]["data"]["source_address"] == "198.51.100.20"
    assert other.get_json()["events"] == []

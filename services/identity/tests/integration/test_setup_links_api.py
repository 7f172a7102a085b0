"""Nobody but the person learns the link that sets their password; a new password ends every
earlier link; an invited assistant gets their supervising therapist."""

from __future__ import annotations

import re
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from identity.adapters.repository import PasswordResetRepository
from identity.domain.password_resets import issue_password_reset
from identity.service_layer.sessions import issue_password_setup

sys.path.insert(0, str(Path(__file__).parent))
from identity_accounts import bearer, events  # noqa: E402

pytestmark = pytest.mark.integration
OWNER = "owner@harbourphysio.example"
NEW_PASSWORD = "quiet meadow lantern river"
SIGN_IN_TOKENS = {"access_token", "refresh_token", "token_type"}


def mailed_token(mail_sink, address: str, page: str) -> str:
    for message in reversed(mail_sink.to(address)):
        found = re.search(rf"/{page}\?token=([A-Za-z0-9_\-]+)",
                          message.get_body(("plain",)).get_content())
        if found:
            return found.group(1)
    raise AssertionError(f"no {page} link mailed to {address}")


@pytest.fixture
def manager(login, practice):
    return bearer(login(OWNER)["access_token"])


def setup_link(ident, user_id: str) -> str:
    with ident.uow() as uow:
        token = issue_password_setup(uow, user_id, datetime.now(UTC))
        uow.commit()
    return token


def reset_link(ident, user_id: str) -> str:
    with ident.uow() as uow:
        reset, token = issue_password_reset(user_id, datetime.now(UTC))
        PasswordResetRepository(uow.session).add(reset)
        uow.commit()
    return token.raw


def test_a_user_added_by_a_manager_gets_the_get_started_mail_and_the_answer_holds_no_token(
    client, manager, mail_sink, login
):
    address = f"kim.{uuid.uuid4().hex[:8]}@harbourphysio.example"  # the sink is shared
    added = client.post("/users", headers=manager, json={
        "email": address, "full_name": "Kim New", "user_type": "PT"})
    assert added.status_code == 201, added.get_json()
    assert added.get_json()["mail_status"] == "sent"
    assert not [k for k in added.get_json() if "token" in k]
    [mail] = mail_sink.to(address)
    assert "added you to Harbour Physio" in mail.get_body(("plain",)).get_content()
    token = mailed_token(mail_sink, address, "get-started")
    assert client.post("/password/set", json={"token": token,
                                              "password": NEW_PASSWORD}).status_code == 204
    login(address, NEW_PASSWORD)


def test_setting_a_password_ends_every_earlier_setup_and_reset_link(client, practice, ident):
    user_id = practice.users["therapist"]
    older_setup, reset = setup_link(ident, user_id), reset_link(ident, user_id)
    newest = setup_link(ident, user_id)
    assert client.post("/password/set", json={"token": newest,
                                              "password": NEW_PASSWORD}).status_code == 204
    stale = client.post("/password/set", json={"token": older_setup, "password": NEW_PASSWORD})
    assert stale.status_code == 410
    stale_reset = client.post("/password/reset", json={"token": reset,
                                                       "password": NEW_PASSWORD})
    assert stale_reset.status_code == 410


def test_a_password_reset_ends_a_setup_link_someone_else_may_hold(client, practice, ident,
                                                                  login):
    user_id = practice.users["assistant"]
    held_elsewhere = setup_link(ident, user_id)
    assert client.post("/password/reset", json={"token": reset_link(ident, user_id),
                                                "password": NEW_PASSWORD}).status_code == 204
    taken_over = client.post("/password/set", json={"token": held_elsewhere,
                                                     "password": "another long passphrase"})
    assert taken_over.status_code == 410
    login("assistant@harbourphysio.example", NEW_PASSWORD)


def test_no_answer_of_the_api_carries_a_token_but_the_callers_own_sign_in_tokens(client):
    spec = client.get("/openapi.json").get_json()
    schemas = spec["components"]["schemas"]

    def names(schema: dict, seen: frozenset[str] = frozenset()) -> set[str]:
        if "$ref" in schema:
            ref = schema["$ref"].rsplit("/", 1)[-1]
            return set() if ref in seen else names(schemas[ref], seen | {ref})
        found = set(schema.get("properties", {}))
        nested = [schema["items"]] if "items" in schema else []
        for sub in [*schema.get("properties", {}).values(), *nested,
                    *schema.get("allOf", []), *schema.get("oneOf", [])]:
            found |= names(sub, seen)
        return found

    leaking = {}
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            for status, answer in operation.get("responses", {}).items():
                for content in answer.get("content", {}).values():
                    fields = names(content.get("schema", {}))
                    tokens = {f for f in fields if f == "token" or f.endswith("_token")
                              } - SIGN_IN_TOKENS
                    if tokens:
                        leaking[f"{method.upper()} {path} {status}"] = sorted(tokens)
    assert leaking == {}


def test_an_invited_assistant_comes_with_their_supervising_therapist(
    client, manager, practice, ident, mail_sink
):
    therapist = practice.users["therapist"]
    invited = client.post("/invitations", headers=manager, json={
        "full_name": "Alex Assist", "email": "alex@harbourphysio.example",
        "practice_role": "front_desk", "user_type": "PTA",
        "supervising_therapist_id": therapist})
    assert invited.status_code == 201, invited.get_json()
    assert invited.get_json()["supervising_therapist_id"] == therapist
    token = mailed_token(mail_sink, "alex@harbourphysio.example", "accept-invitation")
    joined = client.post("/invitations/accept", json={"token": token,
                                                      "password": NEW_PASSWORD})
    assert joined.status_code == 201, joined.get_json()
    [created] = [e for e in events(ident, "identity.user.created")
                 if e["subject"]["id"] == joined.get_json()["user_id"]]
    assert created["data"]["supervising_therapist_id"] == therapist


def test_the_invitee_names_their_supervisor_at_acceptance(client, manager, practice, ident,
                                                          mail_sink):
    client.post("/invitations", headers=manager, json={
        "full_name": "Sol Student", "email": "sol@harbourphysio.example",
        "practice_role": "front_desk", "user_type": "SPT"})
    token = mailed_token(mail_sink, "sol@harbourphysio.example", "accept-invitation")
    wrong = client.post("/invitations/accept", json={
        "token": token, "password": NEW_PASSWORD,
        "supervising_therapist_id": practice.users["clerical"]})
    assert wrong.status_code == 422
    joined = client.post("/invitations/accept", json={
        "token": token, "password": NEW_PASSWORD,
        "supervising_therapist_id": practice.users["therapist"]})
    assert joined.status_code == 201, joined.get_json()
    user = client.get(f"/users/{joined.get_json()['user_id']}", headers=manager).get_json()
    assert user["supervising_therapist_id"] == practice.users["therapist"]


def test_an_invitation_names_only_an_active_therapist_as_supervisor(client, manager, practice):
    refused = client.post("/invitations", headers=manager, json={
        "full_name": "Alex Assist", "email": "alex@harbourphysio.example",
        "practice_role": "front_desk", "user_type": "PTA",
        "supervising_therapist_id": practice.users["clerical"]})
    assert refused.status_code == 422

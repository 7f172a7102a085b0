"""Every service refuses a revoked token: a raised permission version or an ended session.

The services come from the local stack's topology, so a fifth service added there without a
way to build it here fails this test instead of slipping by.
"""

from __future__ import annotations

import importlib
import sys
import uuid
from pathlib import Path

import pytest
import security_apps
from security_tokens import bearer, mint

from servicekit.messaging.envelope import Actor, Subject, new_event
from servicekit.messaging.routing import deliver
from servicekit.totp_wallet import sign_in_through

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "deploy" / "local"))
from topology import SERVICES  # noqa: E402

pytestmark = pytest.mark.integration

# A GET each service guards with a bearer token and answers without any record existing.
GUARDED = {"identity": "/me", "notes": "/patients", "docportal": "/shares/no-such-share",
           "audit": "/alerts"}
# Services that verify identity's tokens through the projection fed by identity's events.
PROJECTED = [s.name for s in SERVICES if s.name != "identity"]


def test_every_service_of_the_topology_is_checked_here():
    assert {s.name for s in SERVICES} == set(GUARDED) == {"identity", *BUILDERS}


def announce(app, event_type: str, user_id: str, org_id: str, data: dict) -> None:
    """Hand identity's event to the service's subscriptions, as its consumers would."""
    spec = importlib.import_module(f"{app.name}.spec").SPEC
    event = new_event(event_type, subject=Subject("user", user_id), org_id=org_id, data=data,
                      actor=Actor(id=user_id, kind="staff"))
    with app.extensions["servicekit.runtime"].uow() as uow:
        deliver(spec.subscriptions, uow, event)
        uow.commit()


BUILDERS = {
    "notes": lambda url, folder, _: security_apps.notes_app(url, folder),
    "audit": lambda url, folder, _: security_apps.audit_app(url, folder),
    "docportal": lambda url, folder, request: security_apps.docportal_app(
        url, folder, request.getfixturevalue("seaweedfs"),
        request.getfixturevalue("mail_sink").url),
}


@pytest.fixture(params=PROJECTED)
def projected_app(request, database_url, tmp_path):
    app = BUILDERS[request.param](database_url, tmp_path / request.param, request)
    yield app
    security_apps.close(app)


def test_a_token_older_than_a_permission_change_is_refused(projected_app):
    client, user, org = projected_app.test_client(), str(uuid.uuid4()), str(uuid.uuid4())
    path = GUARDED[projected_app.name]
    old, new = mint(user, org, pv=1), mint(user, org, pv=2)
    assert client.get(path, headers=bearer(old)).status_code != 401
    announce(projected_app, "identity.user.permissions_changed", user, org,
             {"permission_version": 2})
    refused = client.get(path, headers=bearer(old))
    assert refused.status_code == 401
    assert refused.get_json()["error"]["code"] == "token_outdated"
    assert client.get(path, headers=bearer(new)).status_code != 401


@pytest.mark.parametrize("event_type", ["identity.session.signed_out",
                                        "identity.session.revoked"])
def test_a_token_of_an_ended_session_is_refused(projected_app, event_type):
    from security_tokens import claims_for, sign

    client, user, org = projected_app.test_client(), str(uuid.uuid4()), str(uuid.uuid4())
    path = GUARDED[projected_app.name]
    ended, other = (sign({**claims_for(user, org), "sid": sid}) for sid in ("s-a", "s-b"))
    assert client.get(path, headers=bearer(ended)).status_code != 401
    announce(projected_app, event_type, user, org, {"session_id": "s-a"})
    refused = client.get(path, headers=bearer(ended))
    assert refused.status_code == 401
    assert refused.get_json()["error"]["code"] == "session_ended"
    assert client.get(path, headers=bearer(other)).status_code != 401


def _sign_in(client) -> dict:
    response = sign_in_through(client, {"email": "owner@harbourphysio.example",
                                        "password": security_apps.PASSWORD})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_identity_refuses_a_signed_out_session_at_once(identity):
    security_apps.identity_practice(identity)
    client = identity.test_client()
    first, second = _sign_in(client), _sign_in(client)
    assert client.get("/me", headers=bearer(first["access_token"])).status_code == 200
    assert client.post("/logout", json={"refresh_token": first["refresh_token"]}
                       ).status_code == 204
    refused = client.get("/me", headers=bearer(first["access_token"]))
    assert (refused.status_code, refused.get_json()["error"]["code"]) == (401, "session_ended")
    assert client.get("/me", headers=bearer(second["access_token"])).status_code == 200


def test_identity_ends_every_session_when_refresh_token_reuse_is_detected(identity):
    security_apps.identity_practice(identity)
    client = identity.test_client()
    tokens = _sign_in(client)
    rotated = client.post("/token/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert rotated.status_code == 200
    # The retired refresh token coming back means it was stolen: the family is revoked.
    assert client.post("/token/refresh", json={"refresh_token": tokens["refresh_token"]}
                       ).status_code == 401
    for access in (tokens["access_token"], rotated.get_json()["access_token"]):
        refused = client.get("/me", headers=bearer(access))
        assert (refused.status_code, refused.get_json()["error"]["code"]) == (
            401, "session_ended")

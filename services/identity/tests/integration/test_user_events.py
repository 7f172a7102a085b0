"""Identity's user events carry what other services keep about a user (the notes service
needs each assistant's supervising therapist)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from identity.adapters.tables import messaging

pytestmark = pytest.mark.integration


def events(ident, event_type: str) -> list[dict]:
    with ident.uow() as uow:
        payloads = uow.session.execute(
            select(messaging.outbox.c.payload).where(messaging.outbox.c.event_type == event_type)
        ).scalars().all()
    return [json.loads(p) for p in payloads]


def test_user_events_carry_the_supervising_therapist(client, login, practice, ident):
    headers = {"Authorization": f"Bearer {login('owner@harbourphysio.example')['access_token']}"}
    supervisor = practice.users["therapist"]
    added = client.post("/users", headers=headers, json={
        "email": "aide@harbourphysio.example", "full_name": "Aide", "user_type": "PTA",
        "supervising_therapist_id": supervisor,
    })
    assert added.status_code == 201, added.get_json()
    changed = client.patch(f"/users/{added.get_json()['id']}/permissions", headers=headers,
                           json={"revoke": ["edit_patients"]})
    assert changed.status_code == 200

    created = events(ident, "identity.user.created")[-1]
    [permissions] = events(ident, "identity.user.permissions_changed")
    assert created["data"]["supervising_therapist_id"] == supervisor
    assert permissions["data"]["supervising_therapist_id"] == supervisor

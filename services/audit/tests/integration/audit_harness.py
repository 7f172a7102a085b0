"""Helpers for audit's integration tests: feed envelopes as the consumer would."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ed25519
from jwt.algorithms import OKPAlgorithm

from audit.domain.recognition import Vendor
from audit.service_layer.chain import ChainSettings
from audit.service_layer.record import record_event
from servicekit.auth import TokenVerifier
from servicekit.messaging.envelope import Actor, Event, Subject, new_event
from servicekit.runtime import Runtime

VENDOR = Vendor("Clinic Platform", frozenset({"clinicplatform.example"}))
SYSTEM = Actor(id="identity-cli", kind="system")


class Feeder:
    """Records events the way the audit.all consumer does, one transaction each."""

    def __init__(self, runtime: Runtime, settings: ChainSettings) -> None:
        self.runtime, self.settings = runtime, settings

    def __call__(self, *events: Event) -> list[Event]:
        for event in events:
            with self.runtime.uow() as uow:
                record_event(uow, event, self.settings, VENDOR)
                uow.commit()
        return list(events)


def new_id() -> str:
    return str(uuid.uuid4())


def practice_created(org_id: str, owner_id: str, **data: Any) -> Event:
    return new_event("identity.practice.created", subject=Subject("practice", org_id),
                     org_id=org_id, actor=SYSTEM,
                     data={"name": "Sunrise PT", "owner_id": owner_id, **data})


def user_created(org_id: str, user_id: str, email: str, *, kind: str = "staff",
                 role: str = "staff", full_name: str = "", occurred_at: datetime | None = None,
                 status: str = "active") -> Event:
    return new_event("identity.user.created", subject=Subject("user", user_id), org_id=org_id,
                     actor=SYSTEM, occurred_at=occurred_at or datetime.now(UTC),
                     data={"email": email, "kind": kind, "role": role, "status": status,
                           "full_name": full_name, "user_type": "PT"})


def access(event_type: str, org_id: str, actor_id: str, patient_id: str, **data: Any) -> Event:
    entity = event_type.split(".")[1]
    return new_event(event_type, subject=Subject(entity, new_id()), org_id=org_id,
                     actor=Actor(id=actor_id, kind="staff"), patient_id=patient_id, data=data)


# --- tokens as identity would sign them -------------------------------------------------

ISSUER, AUDIENCE = "clinic-identity", "clinic-platform"
TOKEN_KEY = ed25519.Ed25519PrivateKey.generate()
JWKS = {"keys": [{**OKPAlgorithm.to_jwk(TOKEN_KEY.public_key(), as_dict=True), "kid": "t-1"}]}


def token_verifier() -> TokenVerifier:
    return TokenVerifier(issuer=ISSUER, audience=AUDIENCE, jwks=JWKS)


def bearer(org_id: str | None, *, kind: str = "staff", perms: tuple[str, ...] = ("view_audit",),
           user_id: str = "u-security") -> dict[str, str]:
    now = int(time.time())
    claims = {"sub": user_id, "org": org_id, "kind": kind, "email": "sec@sunrise.example",
              "perms": list(perms), "clinics": [], "pv": 1, "iat": now, "exp": now + 300,
              "iss": ISSUER, "aud": AUDIENCE}
    token = jwt.encode(claims, TOKEN_KEY, algorithm="EdDSA", headers={"kid": "t-1"})
    return {"Authorization": f"Bearer {token}"}


class ConsumerFeeder:
    """Delivers events as the audit.all consumer handles a batch: the inbox first (a
    redelivered event has no second effect), the batch's chain locks, then each event."""

    def __init__(self, runtime: Runtime, settings: ChainSettings,
                 queue: str = "audit.all") -> None:
        self.runtime, self.settings, self.queue = runtime, settings, queue

    def deliver(self, batch: list[Event]) -> None:
        from audit.adapters.tables import messaging
        from audit.service_layer.chain import lock_heads_in_order

        with self.runtime.uow() as uow:
            fresh = messaging.mark_processed(uow.session, self.queue, [e.id for e in batch])
            lock_heads_in_order(uow.session, ({"id": e.id, "org_id": e.org_id}
                                              for e in batch if e.id in fresh),
                                self.settings.partitions)
            for event in batch:
                if event.id in fresh:
                    fresh.discard(event.id)
                    record_event(uow, event, self.settings, VENDOR)
            uow.commit()

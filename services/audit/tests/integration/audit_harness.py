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
                           "full_name": full_name, "user_type": "PT", "permissions": [],
                           "clinics": [], "permission_version": 1,
                           "supervising_therapist_id": None})


def deactivated(org_id: str, user_id: str) -> Event:
    """identity.user.deactivated as identity defines it."""
    return new_event("identity.user.deactivated", subject=Subject("user", user_id),
                     org_id=org_id, actor=SYSTEM, data={
                         "before": {"permissions": ["view_patients"]},
                         "after": {"permissions": []}, "granted": [],
                         "revoked": ["view_patients"], "permission_version": 2, "notices": [],
                         "supervising_therapist_id": None, "sessions_revoked": 0})


def practice_as_sent(org_id: str, owner_id: str, domain: str) -> Event:
    """identity.practice.created with every field identity's definition requires."""
    return practice_created(
        org_id, owner_id, model="therapy", licensed_seats=5, recognized_domains=[domain],
        clinics=[{"id": new_id(), "name": "Sunrise PT", "assistants_may_finalize": True,
                  "time_zone": "UTC"}],
        automation_profile={"id": new_id(), "email": f"automation+{org_id[:8]}@{domain}",
                            "full_name": "Automation", "kind": "automation",
                            "user_type": "AUTOMATION"})


def signed_in(org_id: str, user_id: str, email: str, *, kind: str = "staff",
              **data: Any) -> Event:
    """identity.session.signed_in as identity defines it: who signed in is the actor."""
    return new_event("identity.session.signed_in", subject=Subject("user", user_id),
                     org_id=org_id, actor=Actor(id=user_id, email=email, kind=kind),
                     data={"session_id": new_id(), "account": kind, "second_factor": True,
                           "source_address": "198.51.100.7", "user_agent": "test", **data})


def sign_in_failed(org_id: str | None, email: str, **data: Any) -> Event:
    """identity.session.sign_in_failed as identity defines it: the address tried is data."""
    return new_event("identity.session.sign_in_failed", subject=Subject("sign_in", new_id()),
                     org_id=org_id, data={
                         "email": email, "account": "staff", "reason": "wrong_credentials",
                         "throttled": False, "retry_after_seconds": None,
                         "source_address": "198.51.100.7", "user_agent": "test", **data})


def grant_granted(org_id: str, user_id: str, email: str, *, starts_at: datetime,
                  ends_at: datetime, purpose: str = "support ticket 42") -> Event:
    """identity.access_grant.granted as identity defines it."""
    grant_id = new_id()
    return new_event("identity.access_grant.granted", subject=Subject("access_grant", grant_id),
                     org_id=org_id, actor=SYSTEM, data={
                         "grant_id": grant_id, "user_id": user_id, "email": email,
                         "email_domain": email.rpartition("@")[2], "kind": "vendor",
                         "purpose": purpose, "scope": "support",
                         "starts_at": starts_at.isoformat(), "ends_at": ends_at.isoformat(),
                         "granted_by": new_id(), "revoked_at": None, "revoked_by": None})


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

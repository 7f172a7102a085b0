"""Builders for accounts of no practice in identity's tests: recipients and vendor staff."""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime, timedelta

import jwt
from sqlalchemy import select

from identity.adapters.tables import messaging
from identity.service_layer.recipients import (
    PROOF_AUDIENCE,
    PROOF_ISSUER,
    register_recipient,
)
from identity.service_layer.vendor import GrantView, VendorCaller, add_vendor_staff, grant_access
from servicekit.totp_wallet import sign_in_through

PASSWORD = "correct horse battery staple"
VENDOR_DOMAIN = "clinicplatform.example"


def email_proof(secret: str, email: str, *, lifetime: int = 30 * 60, **claims: object) -> str:
    """A proof as the document portal makes it (claims override the defaults)."""
    now = int(time.time())
    payload = {"iss": PROOF_ISSUER, "aud": PROOF_AUDIENCE, "sub": email.lower(), "iat": now,
               "exp": now + lifetime, "jti": uuid.uuid4().hex, **claims}
    return jwt.encode({k: v for k, v in payload.items() if v is not None}, secret,
                      algorithm="HS256")


def new_recipient(ident, email: str, full_name: str = "Dr Avery Lane") -> str:
    user = register_recipient(
        ident.uow(), proof=email_proof(ident.config.recipient_proof_secret, email),
        full_name=full_name, password=PASSWORD, secret=ident.config.recipient_proof_secret,
        hashing=ident.hashing, now=datetime.now(UTC))
    return user.id


def new_vendor_staff(ident, local_part: str, *, support_admin: bool = False) -> str:
    added = add_vendor_staff(
        ident.uow(), email=f"{local_part}@{VENDOR_DOMAIN}", full_name=local_part.title(),
        support_admin=support_admin, password=PASSWORD, vendor_name="Clinic Platform",
        vendor_domain=VENDOR_DOMAIN, hashing=ident.hashing, now=datetime.now(UTC))
    return added.user_id


def new_grant(ident, admin_id: str, user_id: str, practice_id: str, *,
              hours: float = 1, purpose: str = "Ticket 4411: fix a user type",
              scope: str = "support") -> GrantView:
    now = datetime.now(UTC)
    return grant_access(
        ident.uow(), VendorCaller(admin_id, None), practice_id=practice_id, user_id=user_id,
        purpose=purpose, starts_at=now - timedelta(minutes=1),
        ends_at=now + timedelta(hours=hours), now=now, scope=scope)


def sign_in(client, email: str, *, account: str = "staff", practice_id: str | None = None,
            password: str = PASSWORD):
    body = {"email": email, "password": password, "account": account}
    if practice_id is not None:
        body["practice_id"] = practice_id
    return sign_in_through(client, body)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def events(ident, event_type: str) -> list[dict]:
    """The envelopes of one type waiting in identity's outbox, oldest first."""
    with ident.uow() as uow:
        payloads = uow.session.execute(
            select(messaging.outbox.c.payload).where(messaging.outbox.c.event_type == event_type)
            .order_by(messaging.outbox.c.created_at)
        ).scalars().all()
    return [json.loads(p) for p in payloads]

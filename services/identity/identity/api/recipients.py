"""Recipient accounts for the document portal (kind recipient, no practice)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_smorest import Blueprint

from identity.api.schemas import RecipientRegistrationSchema, RecipientSchema
from identity.bootstrap import identity
from identity.domain.users import User
from identity.service_layer import recipients
from servicekit.web.idempotency import idempotent

blp = Blueprint("recipients", __name__, description="Recipient accounts of the document portal")


@blp.route("/recipients/register", methods=["POST"])
@idempotent
@blp.arguments(RecipientRegistrationSchema)
@blp.response(201, RecipientSchema)
def register(body: dict) -> dict[str, Any]:
    """Create a recipient account for the email the portal's proof vouches for.

    400 invalid_proof (bad, expired or forged proof), 409 recipient_exists, 422
    password_rejected.
    """
    ident = identity()
    user = recipients.register_recipient(
        ident.uow(), proof=body["proof"], full_name=body["full_name"],
        password=body["password"], secret=ident.config.recipient_proof_secret,
        hashing=ident.hashing, now=ident.now(),
    )
    return {"id": user.id, "email": user.email, "full_name": user.full_name,
            "kind": user.kind.value}


def recipient_profile_body(user: User, created_at: datetime) -> dict[str, Any]:
    return {"id": user.id, "email": user.email, "full_name": user.full_name,
            "kind": user.kind.value, "status": "active", "org_id": None, "user_type": None,
            "clinics": [], "permissions": [], "created_at": created_at}

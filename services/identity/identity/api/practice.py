"""Settings of the caller's practice as a whole: its billing integration."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from identity.api.callers import caller
from identity.api.schemas import BillingIntegrationSchema
from identity.bootstrap import identity
from identity.service_layer import billing_integrations
from servicekit.auth import authenticated

blp = Blueprint("practice", __name__, description="The practice's own settings")


@blp.route("/practice/billing-integration", methods=["PUT"])
@authenticated(kinds=("staff",))
@blp.arguments(BillingIntegrationSchema)
@blp.response(200, BillingIntegrationSchema)
def set_billing_integration(body: dict) -> dict[str, Any]:
    """Link the practice to its billing system and list the providers in it (User
    Managers); null removes the integration. Granting finish_notes to an assistant who is
    not a provider then warns that their notes will not reach billing."""
    ident = identity()
    changed = billing_integrations.set_billing_integration(
        ident.uow(), caller(), billing_integration=body["billing_integration"],
        provider_ids=body["provider_ids"], catalog=ident.catalog, now=ident.now())
    return {"billing_integration": changed.name if changed else None,
            "provider_ids": sorted(changed.provider_user_ids) if changed else []}

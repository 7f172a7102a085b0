"""Settings of the caller's practice as a whole: its billing integration, its domains."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from identity.api.callers import caller
from identity.api.etags import billing_integration_etag, recognized_domains_etag
from identity.api.practice_schemas import RecognizedDomainsSchema
from identity.api.schemas import BillingIntegrationSchema
from identity.bootstrap import identity
from identity.service_layer import billing_integrations
from identity.service_layer.recognized_domains import recognized_domains, set_recognized_domains
from servicekit.auth import authenticated
from servicekit.web.conditional import etagged, if_match

blp = Blueprint("practice", __name__, description="The practice's own settings")


@blp.route("/practice/billing-integration", methods=["PUT"])
@authenticated(kinds=("staff",))
@if_match(billing_integration_etag)
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


@blp.route("/practice/recognized-domains", methods=["GET"])
@authenticated(kinds=("staff", "vendor"))
@etagged(recognized_domains_etag)
@blp.response(200, RecognizedDomainsSchema)
def get_recognized_domains() -> dict[str, Any]:
    """The email domains the practice recognizes as its own staff's."""
    ident = identity()
    return {"domains": recognized_domains(ident.uow(), caller(), ident.now())}


@blp.route("/practice/recognized-domains", methods=["PUT"])
@authenticated(kinds=("staff",))
@if_match(recognized_domains_etag)
@blp.arguments(RecognizedDomainsSchema)
@blp.response(200, RecognizedDomainsSchema)
def put_recognized_domains(body: dict) -> dict[str, Any]:
    """Replace the practice's recognized email domains (Admins: manage_users). Audit
    re-judges the practice's profiles: alerts about a domain added here are resolved, a
    profile whose domain is removed raises one."""
    ident = identity()
    return {"domains": set_recognized_domains(
        ident.uow(), caller(), body["domains"], vendor_domain=ident.config.vendor_domain,
        catalog=ident.catalog, now=ident.now())}

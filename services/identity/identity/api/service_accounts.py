"""Service accounts: a practice's Admins manage theirs; vendor support admins the vendor's."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from identity.api.callers import caller
from identity.api.service_account_schemas import (
    IssuedCredentialsSchema,
    NewServiceAccountSchema,
    NewVendorServiceAccountSchema,
    ServiceAccountSchema,
)
from identity.api.vendor import vendor_caller
from identity.bootstrap import identity
from identity.domain.service_accounts import ServiceAccount
from identity.service_layer import service_accounts as practice
from identity.service_layer import vendor_service_accounts as vendor
from identity.service_layer.service_accounts import IssuedCredentials
from servicekit.auth import authenticated
from servicekit.web.idempotency import not_idempotent
from servicekit.web.pagination import paged

# A client_secret is never stored, so no answer holding one can be kept for a replay.
SECRET_SHOWN_ONCE = ("Its answer holds the new client_secret, which is never stored: a retry "
                     "creates another account; revoke the one you do not use.")

blp = Blueprint("service_accounts", __name__,
                description="Service accounts: machines that sign in with client credentials")
STAFF, VENDOR = ("staff",), ("vendor",)


def account_body(account: ServiceAccount) -> dict[str, Any]:
    return {
        "id": account.id, "org_id": account.practice_id, "name": account.name,
        "scope": account.scope, "kind": account.kind.value, "client_id": account.client_id,
        "token_subject": account.token_subject, "version": account.version,
        "created_at": account.created_at, "created_by": account.created_by,
        "rotated_at": account.rotated_at, "revoked_at": account.revoked_at,
        "revoked_by": account.revoked_by, "active": account.active,
    }


def issued_body(issued: IssuedCredentials) -> dict[str, Any]:
    return {**account_body(issued.account), "client_secret": issued.client_secret}


@blp.route("/service-accounts", methods=["POST"])
@authenticated(kinds=STAFF)
@not_idempotent(SECRET_SHOWN_ONCE)
@blp.arguments(NewServiceAccountSchema)
@blp.response(201, IssuedCredentialsSchema)
def create_service_account(body: dict) -> dict[str, Any]:
    """Create a service account of the practice (Admins); the secret is shown this once."""
    ident = identity()
    return issued_body(practice.create_service_account(
        ident.uow(), caller(), catalog=ident.catalog, now=ident.now(), **body))


@blp.route("/service-accounts", methods=["GET"])
@authenticated(kinds=STAFF)
@blp.response(200, ServiceAccountSchema(many=True))
@paged(blp, max_limit=500)
def list_service_accounts() -> list[dict[str, Any]]:
    """The practice's service accounts and its automation credentials; never a secret."""
    ident = identity()
    accounts = practice.list_service_accounts(ident.uow(), caller(), ident.catalog, ident.now())
    return [account_body(a) for a in accounts]


@blp.route("/service-accounts/<account_id>/rotate", methods=["POST"])
@authenticated(kinds=STAFF)
@blp.response(200, IssuedCredentialsSchema)
def rotate_service_account(account_id: str) -> dict[str, Any]:
    """A new secret, shown this once; the old secret and its tokens stop working."""
    ident = identity()
    return issued_body(practice.rotate_service_account(
        ident.uow(), caller(), account_id, ident.catalog, ident.now()))


@blp.route("/service-accounts/<account_id>/revoke", methods=["POST"])
@authenticated(kinds=STAFF)
@blp.response(200, ServiceAccountSchema)
def revoke_service_account(account_id: str) -> dict[str, Any]:
    """No more tokens for the account; the ones it holds stop at once."""
    ident = identity()
    return account_body(practice.revoke_service_account(
        ident.uow(), caller(), account_id, ident.catalog, ident.now()))


@blp.route("/vendor/service-accounts", methods=["POST"])
@authenticated(kinds=VENDOR)
@not_idempotent(SECRET_SHOWN_ONCE)
@blp.arguments(NewVendorServiceAccountSchema)
@blp.response(201, IssuedCredentialsSchema)
def create_vendor_service_account(body: dict) -> dict[str, Any]:
    """The vendor-wide security account, or a practice's automation credentials (support
    admins); the secret is shown this once."""
    ident = identity()
    return issued_body(vendor.create_vendor_service_account(
        ident.uow(), vendor_caller(), now=ident.now(), **body))


@blp.route("/vendor/service-accounts", methods=["GET"])
@authenticated(kinds=VENDOR)
@blp.response(200, ServiceAccountSchema(many=True))
@paged(blp, max_limit=500)
def list_vendor_service_accounts() -> list[dict[str, Any]]:
    """The vendor's accounts and every practice's automation credentials (support admins)."""
    ident = identity()
    accounts = vendor.list_vendor_service_accounts(ident.uow(), vendor_caller(), ident.now())
    return [account_body(a) for a in accounts]


@blp.route("/vendor/service-accounts/<vendor_account_id>/rotate", methods=["POST"])
@authenticated(kinds=VENDOR)
@blp.response(200, IssuedCredentialsSchema)
def rotate_vendor_service_account(vendor_account_id: str) -> dict[str, Any]:
    """A new secret for a vendor account (support admins); the old one stops at once."""
    ident = identity()
    return issued_body(vendor.rotate_vendor_service_account(
        ident.uow(), vendor_caller(), vendor_account_id, ident.now()))


@blp.route("/vendor/service-accounts/<vendor_account_id>/revoke", methods=["POST"])
@authenticated(kinds=VENDOR)
@blp.response(200, ServiceAccountSchema)
def revoke_vendor_service_account(vendor_account_id: str) -> dict[str, Any]:
    """Revoke a vendor account (support admins); its tokens stop at once."""
    ident = identity()
    return account_body(vendor.revoke_vendor_service_account(
        ident.uow(), vendor_caller(), vendor_account_id, ident.now()))

"""Alert pushes: the practice's webhook (its User Managers set it) and the deliveries."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from audit.api.callers import caller_scope
from audit.api.etags import webhook_etag
from audit.api.paging import newest_id_key, next_newest_id
from audit.bootstrap import audit
from audit.service_layer.alert_webhooks import (
    DEAD,
    DELIVERED,
    PENDING,
    get_webhook,
    list_deliveries,
    remove_webhook,
    retry_delivery,
    set_webhook,
)
from audit.service_layer.callers import user_managers_practice
from servicekit.auth import current_principal, require_permission
from servicekit.web.conditional import etagged, if_match
from servicekit.web.pagination import page_arguments

blp = Blueprint("alert_push", __name__, description="Alert mails and webhook calls")


class WebhookBody(Schema):
    url = fields.Str(required=True, validate=validate.Length(min=1, max=2000))
    secret = fields.Str(load_default=None, allow_none=True, metadata={
        "description": "24-200 characters; omitted: one is made and shown in this answer "
                       "only"})


class Webhook(Schema):
    url = fields.Str(allow_none=True, metadata={"description": "null: no webhook, mail only"})
    set_by = fields.Str(allow_none=True)
    set_at = fields.DateTime(allow_none=True)
    secret = fields.Str(metadata={"description": "only in the answer that made it"})


class DeliveryFilter(Schema):
    status = fields.Str(load_default=None, validate=validate.OneOf((PENDING, DELIVERED, DEAD)))
    org_id = fields.Str(load_default=None)


DeliveryQuery = page_arguments(max_limit=1000, default_limit=100, base=DeliveryFilter)


class Delivery(Schema):
    id = fields.Int()
    org_id = fields.Str()
    alert_id = fields.Str()
    event_id = fields.Str()
    event_type = fields.Str()
    channel = fields.Str()
    target = fields.Str(allow_none=True, metadata={"description": "the mail address"})
    status = fields.Str()
    attempts = fields.Int()
    created_at = fields.DateTime()
    next_attempt_at = fields.DateTime(allow_none=True)
    delivered_at = fields.DateTime(allow_none=True)
    dead_at = fields.DateTime(allow_none=True)
    last_error = fields.Str(allow_none=True)
    body = fields.Dict()


class DeliveryList(Schema):
    deliveries = fields.List(fields.Nested(Delivery))
    next_cursor = fields.Str(allow_none=True, metadata={
        "description": "the cursor of the next page (also in the Link header); null on the "
                       "last page"})


@blp.route("/alert-webhook", methods=["GET"])
@require_permission("view_audit")
@etagged(webhook_etag)
@blp.response(200, Webhook)
def alert_webhook() -> dict:
    """Where the practice's alerts are posted (the secret is never shown)."""
    return get_webhook(audit().uow(), caller_scope().org_id or "")


@blp.route("/alert-webhook", methods=["PUT"])
@require_permission("view_audit")
@if_match(webhook_etag)
@blp.arguments(WebhookBody)
@blp.response(200, Webhook)
def set_alert_webhook(body: dict) -> dict:
    """Post every alert step to this URL, signed with the secret (X-Clinic-Signature)."""
    app, principal = audit(), current_principal()
    return set_webhook(app.uow(), user_managers_practice(principal), url=body["url"],
                       secret=body["secret"], by=principal.user_id, now=app.now(),
                       allow_http=app.config.webhook_allow_http)


@blp.route("/alert-webhook", methods=["DELETE"])
@require_permission("view_audit")
@blp.response(204)
def remove_alert_webhook() -> None:
    """Stop posting alerts; mails to the User Managers go on."""
    remove_webhook(audit().uow(), user_managers_practice(current_principal()))


@blp.route("/alert-deliveries", methods=["GET"])
@require_permission("view_audit")
@blp.arguments(DeliveryQuery, location="query")
@blp.response(200, DeliveryList)
def alert_deliveries(query: dict) -> dict:
    """The webhook calls (and alert mails from before the mail outbox), newest first, a page
    at a time (the next in the Link header); `status=dead` lists dead letters."""
    found, last = list_deliveries(audit().uow(), caller_scope(query["org_id"]),
                                  status=query["status"], limit=query["limit"],
                                  before=newest_id_key(query["cursor"]))
    return {"deliveries": found, "next_cursor": next_newest_id(last)}


@blp.route("/alert-deliveries/<int:delivery_id>/retry", methods=["POST"])
@require_permission("view_audit")
@blp.response(200, Delivery)
def retry_alert_delivery(delivery_id: int) -> dict:
    """Try a dead delivery again (after fixing the webhook or the mail server)."""
    return retry_delivery(audit().uow(), caller_scope(), delivery_id, audit().now())

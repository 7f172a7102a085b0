"""Alert pushes: the practice's webhook (its User Managers set it) and the deliveries."""

from __future__ import annotations

from datetime import UTC, datetime

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from audit.api.runtime import config, uow
from audit.api.scope import caller_scope
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
from servicekit.auth import current_principal, require_permission
from servicekit.web.errors import Forbidden

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


class DeliveryQuery(Schema):
    status = fields.Str(load_default=None, validate=validate.OneOf((PENDING, DELIVERED, DEAD)))
    org_id = fields.Str(load_default=None)
    limit = fields.Int(load_default=100, validate=validate.Range(min=1, max=1000))


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


def _user_managers_practice() -> str:
    """The webhook is the practice's own: a User Manager of it (view_audit and manage_users)."""
    principal = current_principal()
    if principal.kind != "staff" or principal.org_id is None \
            or not principal.has("manage_users"):
        raise Forbidden("Only a User Manager of the practice (manage_users) sets its alert "
                        "webhook; ask one of them.", code="not_a_user_manager")
    return principal.org_id


@blp.route("/alert-webhook")
class AlertWebhook(MethodView):
    @require_permission("view_audit")
    @blp.response(200, Webhook)
    def get(self) -> dict:
        """Where the practice's alerts are posted (the secret is never shown)."""
        with uow() as unit:
            return get_webhook(unit.session, caller_scope().org_id or "")

    @require_permission("view_audit")
    @blp.arguments(WebhookBody)
    @blp.response(200, Webhook)
    def put(self, body: dict) -> dict:
        """Post every alert step to this URL, signed with the secret (X-Clinic-Signature)."""
        org_id = _user_managers_practice()
        return set_webhook(uow(), org_id, url=body["url"], secret=body["secret"],
                           by=current_principal().user_id, now=datetime.now(UTC),
                           allow_http=config().webhook_allow_http)

    @require_permission("view_audit")
    @blp.response(204)
    def delete(self) -> None:
        """Stop posting alerts; mails to the User Managers go on."""
        remove_webhook(uow(), _user_managers_practice())


@blp.route("/alert-deliveries")
class AlertDeliveries(MethodView):
    @require_permission("view_audit")
    @blp.arguments(DeliveryQuery, location="query")
    @blp.response(200, DeliveryList)
    def get(self, query: dict) -> dict:
        """The alert mails and webhook calls, newest first; `status=dead` lists dead letters."""
        scope = caller_scope(query["org_id"])
        with uow() as unit:
            return {"deliveries": list_deliveries(unit.session, scope, status=query["status"],
                                                  limit=query["limit"])}


@blp.route("/alert-deliveries/<int:delivery_id>/retry")
class RetryDelivery(MethodView):
    @require_permission("view_audit")
    @blp.response(200, Delivery)
    def post(self, delivery_id: int) -> dict:
        """Try a dead delivery again (after fixing the webhook or the mail server)."""
        return retry_delivery(uow(), caller_scope(), delivery_id, datetime.now(UTC))

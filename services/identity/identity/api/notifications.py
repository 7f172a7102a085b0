"""Each staff member's own notification and digest choices: GET and PATCH /me/notifications."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema, fields

from identity.api.callers import caller
from identity.api.etags import my_notifications_etag
from identity.bootstrap import identity
from identity.service_layer.notifications import change_my_notifications, my_notifications
from servicekit.auth import authenticated
from servicekit.web.conditional import etagged, if_match

blp = Blueprint("notifications", __name__,
                description="Your own notifications (treatment plan events) and digests")

_CODES = fields.List(fields.String(), required=True)


class MyNotificationsSchema(Schema):
    notifications = _CODES
    notifications_available = _CODES
    notification_scope = fields.String(
        required=True, metadata={"description": "practice: every plan of the practice; "
                                                "own_patients: your own patients' plans only"})
    digests = _CODES
    digests_available = _CODES


class NotificationChangesSchema(Schema):
    notifications = fields.Dict(keys=fields.String(), values=fields.Boolean(),
                                load_default=dict,
                                metadata={"example": {"payment_plan_requested": False}})
    digests = fields.Dict(keys=fields.String(), values=fields.Boolean(), load_default=dict,
                          metadata={"example": {"practitioner_digest": True}})


@blp.route("/me/notifications", methods=["GET"])
@authenticated(kinds=("staff",))
@etagged(my_notifications_etag)
@blp.response(200, MyNotificationsSchema)
def read_my_notifications() -> dict[str, Any]:
    """Which notifications and digests you get (your choices, else your role's defaults)."""
    ident = identity()
    return my_notifications(ident.uow(), caller(), ident.catalog)


@blp.route("/me/notifications", methods=["PATCH"])
@authenticated(kinds=("staff",))
@if_match(my_notifications_etag)
@blp.arguments(NotificationChangesSchema)
@blp.response(200, MyNotificationsSchema)
def change_notifications(body: dict) -> dict[str, Any]:
    """Turn notifications and digests on (true) or off (false); only those your role offers."""
    ident = identity()
    return change_my_notifications(ident.uow(), caller(), notifications=body["notifications"],
                                   digests=body["digests"], catalog=ident.catalog,
                                   now=ident.now())

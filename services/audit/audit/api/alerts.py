"""Alerts: list them; acknowledge, resolve and reopen them with a note."""

from __future__ import annotations

from flask import request
from flask_smorest import Blueprint

from audit.api.alert_schemas import Alert, AlertList, AlertNote, AlertQuery
from audit.api.callers import caller_scope
from audit.api.paging import newest_first_key, next_newest_first
from audit.bootstrap import audit
from audit.domain.alert_status import ACKNOWLEDGE, REOPEN, RESOLVE, AlertStep
from audit.service_layer.alerts import change_alert_status
from audit.service_layer.queries import list_alerts
from servicekit.auth import current_principal, require_permission

blp = Blueprint("alerts", __name__, url_prefix="/alerts", description="Profile alerts")


@blp.route("", methods=["GET"])
@require_permission("view_audit")
@blp.arguments(AlertQuery, location="query")
@blp.response(200, AlertList)
def alerts(query: dict) -> dict:
    """The practice's alerts, newest first, a page at a time (the next in the Link header)."""
    found, last = list_alerts(audit().uow(), caller_scope(query["org_id"]),
                              status=query["status"], severity=query["severity"],
                              limit=query["limit"], after=newest_first_key(query["cursor"]))
    return {"alerts": [with_report_link(alert) for alert in found],
            "next_cursor": next_newest_first(last)}


@blp.route("/<alert_id>/acknowledge", methods=["POST"])
@require_permission("view_audit")
@blp.arguments(AlertNote)
@blp.response(200, Alert)
def acknowledge_alert(body: dict, alert_id: str) -> dict:
    """Say someone is looking into the alert."""
    return _change(alert_id, ACKNOWLEDGE, body)


@blp.route("/<alert_id>/resolve", methods=["POST"])
@require_permission("view_audit")
@blp.arguments(AlertNote)
@blp.response(200, Alert)
def resolve_alert(body: dict, alert_id: str) -> dict:
    """Close the alert with what was found."""
    return _change(alert_id, RESOLVE, body)


@blp.route("/<alert_id>/reopen", methods=["POST"])
@require_permission("view_audit")
@blp.arguments(AlertNote)
@blp.response(200, Alert)
def reopen_alert(body: dict, alert_id: str) -> dict:
    """Open a resolved alert again (the resolution proved wrong), saying why."""
    return _change(alert_id, REOPEN, body)


def with_report_link(alert: dict) -> dict:
    """The alert with the link to its profile's access report (behind the gateway prefix)."""
    link = None
    if alert.get("profile_id"):
        link = f"{request.script_root}/reports/access?user_id={alert['profile_id']}"
    return {**alert, "access_report": link}


def _change(alert_id: str, step: AlertStep, body: dict) -> dict:
    return with_report_link(change_alert_status(
        audit().uow(), caller_scope(), alert_id, step, note=body["note"],
        by=current_principal().user_id))

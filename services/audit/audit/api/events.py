"""GET /events: the stored record, filtered, in pages. There is no route that changes it."""

from __future__ import annotations

from flask import Response
from flask_smorest import Blueprint

from audit.api.callers import caller_scope
from audit.api.fhir import events_bundle, wants_fhir
from audit.api.paging import next_record_page, record_position
from audit.api.schemas import EventPage, EventQuery
from audit.bootstrap import audit
from audit.service_layer.queries import EventFilter, list_events
from servicekit.auth import require_permission

blp = Blueprint("events", __name__, url_prefix="/events", description="The audit record")


@blp.route("", methods=["GET"])
@require_permission("view_audit")
@blp.arguments(EventQuery, location="query")
@blp.response(200, EventPage, description=(
    "The platform's JSON by default; with `Accept: application/fhir+json` or "
    "`format=fhir` a FHIR R4 `Bundle` (searchset) of `AuditEvent`s whose `next` link "
    "carries the cursor."))
def list_record(query: dict) -> dict | Response:
    """Events of the caller's practice in arrival order, a page at a time (the next in the
    Link header and next_cursor)."""
    filters = EventFilter(query["type"], query["actor"], query["patient"],
                          query["start"], query["end"])
    events, last = list_events(audit().uow(), caller_scope(query["org_id"]), filters,
                               after=record_position(query["cursor"]), limit=query["limit"])
    next_cursor = next_record_page(last)
    if wants_fhir(query["format"]):
        return events_bundle(events, next_cursor)
    return {"events": events, "next_cursor": next_cursor}

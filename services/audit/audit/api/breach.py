"""Breach assessments: make one (stored and evented), list them, read or export one."""

from __future__ import annotations

from flask import Response
from flask_smorest import Blueprint

from audit.api.callers import caller_actor, caller_scope
from audit.api.paging import newest_first_key, next_newest_first
from audit.api.schemas import (
    BreachAssessment,
    BreachAssessmentList,
    BreachExportQuery,
    BreachListQuery,
    BreachRequest,
)
from audit.bootstrap import audit
from audit.domain.breach_csv import render_breach_assessment_csv
from audit.domain.breach_risk import Factor, FactorRating, Rating
from audit.service_layer.access_reports import report_window
from audit.service_layer.breach_assessments import (
    BreachQuestion,
    get_breach_assessment,
    list_breach_assessments,
    make_breach_assessment,
)
from servicekit.auth import require_permission
from servicekit.web.idempotency import idempotent

blp = Blueprint("breach", __name__, url_prefix="/breach-assessments",
                description="HIPAA breach assessments, kept as made")


@blp.route("", methods=["POST"])
@require_permission("view_audit")
@idempotent
@blp.arguments(BreachRequest)
@blp.response(201, BreachAssessment)
def assess_breach(body: dict) -> dict:
    """Who must be told and by when: stored with its inputs, published as an event."""
    scope = caller_scope(body["org_id"])
    app = audit()
    return make_breach_assessment(app.uow(), scope, _question(body), caller_actor(), app.now())


@blp.route("", methods=["GET"])
@require_permission("view_audit")
@blp.arguments(BreachListQuery, location="query")
@blp.response(200, BreachAssessmentList)
def breach_assessments(query: dict) -> dict:
    """The practice's assessments, newest first (without the affected lists), a page at a
    time (the next in the Link header)."""
    found, last = list_breach_assessments(audit().uow(), caller_scope(query["org_id"]),
                                          query["limit"], newest_first_key(query["cursor"]))
    return {"assessments": found, "next_cursor": next_newest_first(last)}


@blp.route("/<assessment_id>", methods=["GET"])
@require_permission("view_audit")
@blp.arguments(BreachExportQuery, location="query")
@blp.response(200, BreachAssessment)
def breach_assessment(query: dict, assessment_id: str) -> dict | Response:
    """One assessment as made; format=csv exports the affected individuals and notices."""
    assessment = get_breach_assessment(audit().uow(), caller_scope(), assessment_id)
    if query["format"] == "csv":
        return Response(render_breach_assessment_csv(assessment), mimetype="text/csv",
                        headers={"Content-Disposition":
                                 f'attachment; filename="breach-{assessment_id}.csv"'})
    return assessment


def _question(body: dict) -> BreachQuestion:
    suspects = list(body["suspect_profiles"])
    if body["user_id"]:
        suspects.append(body["user_id"])
    start, end = report_window(body["start"], body["end"])
    return BreachQuestion(
        discovered_on=body["discovered_on"], start=start, end=end,
        suspect_profiles=tuple(dict.fromkeys(suspects)),
        patient_ids=tuple(dict.fromkeys(body["patient_ids"])),
        ratings=tuple(FactorRating(Factor(f["factor"]), Rating(f["rating"]), f["rationale"])
                      for f in body["factors"]),
        summary=body["summary"],
    )

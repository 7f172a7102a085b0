"""Breach assessments: make one (stored and evented), list them, read or export one."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint

from audit.api.reports import report_window
from audit.api.runtime import uow
from audit.api.schemas import (
    BreachAssessment,
    BreachAssessmentList,
    BreachExportQuery,
    BreachListQuery,
    BreachRequest,
)
from audit.api.scope import caller_scope
from audit.domain.breach_csv import render_breach_assessment_csv
from audit.domain.breach_risk import Factor, FactorRating, Rating
from audit.service_layer.breach_assessments import (
    BreachQuestion,
    get_breach_assessment,
    list_breach_assessments,
    make_breach_assessment,
)
from servicekit.auth import Principal, current_principal, require_permission
from servicekit.messaging.envelope import Actor

blp = Blueprint("breach", __name__, url_prefix="/breach-assessments",
                description="HIPAA breach assessments, kept as made")


def _question(body: dict) -> BreachQuestion:
    suspects = list(body["suspect_profiles"])
    if body["user_id"]:
        suspects.append(body["user_id"])
    start, end = report_window(body)
    return BreachQuestion(
        discovered_on=body["discovered_on"], start=start, end=end,
        suspect_profiles=tuple(dict.fromkeys(suspects)),
        patient_ids=tuple(dict.fromkeys(body["patient_ids"])),
        ratings=tuple(FactorRating(Factor(f["factor"]), Rating(f["rating"]), f["rationale"])
                      for f in body["factors"]),
        summary=body["summary"],
    )


def _assessor(principal: Principal) -> Actor:
    return Actor(id=principal.user_id, email=principal.email, kind=principal.kind,
                 user_type=principal.user_type)


@blp.route("")
class BreachAssessments(MethodView):
    @require_permission("view_audit")
    @blp.arguments(BreachRequest)
    @blp.response(201, BreachAssessment)
    def post(self, body: dict) -> dict:
        """Who must be told and by when: stored with its inputs, published as an event."""
        scope = caller_scope(body["org_id"])
        return make_breach_assessment(uow(), scope, _question(body),
                                      _assessor(current_principal()), datetime.now(UTC))

    @require_permission("view_audit")
    @blp.arguments(BreachListQuery, location="query")
    @blp.response(200, BreachAssessmentList)
    def get(self, query: dict) -> dict:
        """The practice's assessments, newest first (without the affected lists)."""
        scope = caller_scope(query["org_id"])
        with uow() as unit:
            return {"assessments": list_breach_assessments(unit.session, scope,
                                                           query["limit"])}


@blp.route("/<assessment_id>")
class OneBreachAssessment(MethodView):
    @require_permission("view_audit")
    @blp.arguments(BreachExportQuery, location="query")
    @blp.response(200, BreachAssessment)
    def get(self, query: dict, assessment_id: str) -> dict | Response:
        """One assessment as made; format=csv exports the affected individuals and notices."""
        with uow() as unit:
            assessment = get_breach_assessment(unit.session, caller_scope(), assessment_id)
        if query["format"] == "csv":
            return Response(render_breach_assessment_csv(assessment), mimetype="text/csv",
                            headers={"Content-Disposition":
                                     f'attachment; filename="breach-{assessment_id}.csv"'})
        return assessment

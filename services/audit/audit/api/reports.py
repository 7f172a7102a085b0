"""Access reports (JSON or CSV) and breach assessments."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint

from audit.api.runtime import uow
from audit.api.schemas import (
    AccessReport,
    BreachAssessment,
    BreachRequest,
    PatientReportQuery,
    UserReportQuery,
)
from audit.api.scope import caller_scope
from audit.domain.report_csv import render_access_report_csv
from audit.domain.reports import AccessReport as Report
from audit.service_layer.access_reports import (
    assess_breach_of,
    patient_access_report,
    user_access_report,
)
from servicekit.auth import require_permission

blp = Blueprint("reports", __name__, description="Access reports and breach assessments")

# Without a window a report covers everything recorded so far.
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)


def _window(query: dict) -> tuple[datetime, datetime]:
    end = query["end"] or datetime.now(UTC) + timedelta(seconds=1)
    return query["start"] or EARLIEST, end


def _answer(report: Report, fmt: str, name: str) -> Report | Response:
    if fmt == "csv":
        return Response(render_access_report_csv(report), mimetype="text/csv", headers={
            "Content-Disposition": f'attachment; filename="{name}.csv"'})
    return report


@blp.route("/reports/access")
class UserAccessReport(MethodView):
    @require_permission("view_audit")
    @blp.arguments(UserReportQuery, location="query")
    @blp.response(200, AccessReport)
    def get(self, query: dict) -> Report | Response:
        """Every patient a user touched and how many records, in [from, to)."""
        scope = caller_scope(query["org_id"])
        with uow() as unit:
            report = user_access_report(unit.session, scope, query["user_id"], *_window(query))
        return _answer(report, query["format"], "access-report")


@blp.route("/reports/patient-access")
class PatientAccessReport(MethodView):
    @require_permission("view_audit")
    @blp.arguments(PatientReportQuery, location="query")
    @blp.response(200, AccessReport)
    def get(self, query: dict) -> Report | Response:
        """Every user who touched a patient's records, in [from, to)."""
        scope = caller_scope(query["org_id"])
        with uow() as unit:
            report = patient_access_report(unit.session, scope, query["patient_id"],
                                           *_window(query))
        return _answer(report, query["format"], "patient-access-report")


@blp.route("/breach-assessments")
class BreachAssessments(MethodView):
    @require_permission("view_audit")
    @blp.arguments(BreachRequest)
    @blp.response(200, BreachAssessment)
    def post(self, body: dict) -> object:
        """Who must be told, and by when: for listed patients, or everyone a user touched."""
        scope = caller_scope(body["org_id"])
        with uow() as unit:
            patients = body["patient_ids"]
            if patients is None:
                report = user_access_report(unit.session, scope, body["user_id"],
                                            *_window(body))
                patients = [row.key for row in report.rows]
            return assess_breach_of(unit.session, scope, patients, body["discovered_on"])

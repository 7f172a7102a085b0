"""Access reports (JSON or CSV): of a user, and of a patient."""

from __future__ import annotations

from flask import Response
from flask_smorest import Blueprint

from audit.api.callers import caller_scope
from audit.api.schemas import (
    AccessReport,
    DisclosureAccounting,
    DisclosureQuery,
    PatientReportQuery,
    UserReportQuery,
)
from audit.bootstrap import audit
from audit.domain.disclosure_csv import render_disclosures_csv
from audit.domain.disclosures import DisclosureAccounting as Accounting
from audit.domain.report_csv import access_report_csv_lines
from audit.domain.reports import AccessReport as Report
from audit.service_layer.access_reports import (
    patient_access_report,
    report_window,
    user_access_report,
)
from audit.service_layer.disclosures import disclosure_accounting
from servicekit.auth import require_permission

blp = Blueprint("reports", __name__, description="Access reports")


@blp.route("/reports/access", methods=["GET"])
@require_permission("view_audit")
@blp.arguments(UserReportQuery, location="query")
@blp.response(200, AccessReport)
def user_report(query: dict) -> Report | Response:
    """Every patient a user touched and how many records, in [from, to)."""
    scope = caller_scope(query["org_id"])
    report = user_access_report(audit().uow(), scope, query["user_id"],
                                *report_window(query["start"], query["end"]))
    return _answer(report, query["format"], "access-report")


@blp.route("/reports/patient-access", methods=["GET"])
@require_permission("view_audit")
@blp.arguments(PatientReportQuery, location="query")
@blp.response(200, AccessReport)
def patient_report(query: dict) -> Report | Response:
    """Every user who touched a patient's records, in [from, to)."""
    scope = caller_scope(query["org_id"])
    report = patient_access_report(audit().uow(), scope, query["patient_id"],
                                   *report_window(query["start"], query["end"]))
    return _answer(report, query["format"], "patient-access-report")


@blp.route("/reports/disclosures", methods=["GET"])
@require_permission("view_audit")
@blp.arguments(DisclosureQuery, location="query")
@blp.response(200, DisclosureAccounting)
def patient_disclosures(query: dict) -> Accounting | Response:
    """The patient's accounting of disclosures: documents shared outside the practice.

    Without ``from`` it covers the six years before ``to`` (or now).
    """
    scope = caller_scope(query["org_id"])
    accounting = disclosure_accounting(audit().uow(), scope, query["patient_id"], query["start"],
                                       query["end"])
    if query["format"] == "csv":
        return Response(render_disclosures_csv(accounting), mimetype="text/csv", headers={
            "Content-Disposition": 'attachment; filename="disclosures.csv"'})
    return accounting


def _answer(report: Report, fmt: str, name: str) -> Report | Response:
    if fmt == "csv":
        # Streamed: the header leaves at once, the rows as they are written, the totals last.
        return Response(access_report_csv_lines(report), mimetype="text/csv", headers={
            "Content-Disposition": f'attachment; filename="{name}.csv"'})
    return report

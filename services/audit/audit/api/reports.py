"""Access reports (JSON or CSV): of a user, and of a patient."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint

from audit.api.runtime import uow
from audit.api.schemas import (
    AccessReport,
    DisclosureAccounting,
    DisclosureQuery,
    PatientReportQuery,
    UserReportQuery,
)
from audit.api.scope import caller_scope
from audit.domain.disclosure_csv import render_disclosures_csv
from audit.domain.disclosures import DisclosureAccounting as Accounting
from audit.domain.disclosures import accounting_start
from audit.domain.report_csv import render_access_report_csv
from audit.domain.reports import AccessReport as Report
from audit.service_layer.access_reports import patient_access_report, user_access_report
from audit.service_layer.disclosures import disclosure_accounting
from servicekit.auth import require_permission
from servicekit.web.errors import Unprocessable

blp = Blueprint("reports", __name__, description="Access reports")

# Without a window a report covers everything recorded so far.
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)


def report_window(query: dict) -> tuple[datetime, datetime]:
    """The asked window, from the earliest record and up to now by default; never inverted."""
    end = query["end"] or datetime.now(UTC) + timedelta(seconds=1)
    start = query["start"] or EARLIEST
    if end <= start:
        raise Unprocessable(
            "The window must end after it starts: give a `from` earlier than `to` (without "
            "`to`, earlier than now; without `from`, a `to` after the first record).",
            code="invalid_window", details={"from": start.isoformat(), "to": end.isoformat()})
    return start, end


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
            report = user_access_report(unit.session, scope, query["user_id"],
                                        *report_window(query))
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
                                           *report_window(query))
        return _answer(report, query["format"], "patient-access-report")


@blp.route("/reports/disclosures")
class PatientDisclosures(MethodView):
    @require_permission("view_audit")
    @blp.arguments(DisclosureQuery, location="query")
    @blp.response(200, DisclosureAccounting)
    def get(self, query: dict) -> Accounting | Response:
        """The patient's accounting of disclosures: documents shared outside the practice.

        Without ``from`` it covers the six years before ``to`` (or now).
        """
        scope = caller_scope(query["org_id"])
        end = query["end"] or datetime.now(UTC) + timedelta(seconds=1)
        start = query["start"] or accounting_start(end)
        with uow() as unit:
            accounting = disclosure_accounting(unit.session, scope, query["patient_id"],
                                               start, end)
        if query["format"] == "csv":
            return Response(render_disclosures_csv(accounting), mimetype="text/csv", headers={
                "Content-Disposition": 'attachment; filename="disclosures.csv"'})
        return accounting

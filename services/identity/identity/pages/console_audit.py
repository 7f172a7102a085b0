""""Audit this profile" (seeds/002): audit's access report for one profile of the practice,
and its CSV, read from audit's API with the signed-in manager's own token.

The manager needs view_audit for audit to answer; without it the page says so rather than
asking. Identity imports nothing of audit's: the report comes over HTTP.
"""

from __future__ import annotations

from flask import current_app, render_template
from werkzeug.wrappers import Response

from identity.adapters.audit_reports import AuditRefused, AuditReports, AuditUnavailable
from identity.bootstrap import identity
from identity.pages.blueprint import blueprint
from identity.pages.console import manager_caller
from identity.pages.session import access_token, current_staff
from identity.pages.user_forms import recognition_label
from identity.service_layer.callers import Caller
from identity.service_layer.user_console import ConsoleProfile, console_profile

AUDIT_REPORTS = "identity.audit_reports"
VIEW_AUDIT = "view_audit"
NEEDS_VIEW_AUDIT = ("Reading a profile's access report needs the \"View the audit record\" "
                    "permission. Ask an Admin of your practice to grant it to you, or contact "
                    "support and ask them to audit this profile.")


def audit_reports() -> AuditReports:
    return current_app.extensions[AUDIT_REPORTS]


@blueprint.route("/users/<user_id>/audit", methods=["GET"])
def user_audit(user_id: str) -> Response | tuple[str, int]:
    """Which patients and how many records this profile touched."""
    caller = manager_caller()
    if isinstance(caller, Response):
        return caller
    profile = _profile(caller, user_id)
    refusal, status, report = _refusal_for_missing_permission(), 403, None
    if refusal is None:
        try:
            report = audit_reports().user_access_report(_token(), profile.user.id)
            status = 200
        except AuditRefused as refused:
            refusal, status = _worded(refused), refused.status
        except AuditUnavailable as down:
            refusal, status = str(down), 503
    return render_template("app/user_audit.html", profile=profile, report=report,
                           refusal=refusal, status=status,
                           label=recognition_label(profile.recognition,
                                                   identity().config.vendor_name)), status


@blueprint.route("/users/<user_id>/audit.csv", methods=["GET"])
def user_audit_csv(user_id: str) -> Response | tuple[str, int]:
    caller = manager_caller()
    if isinstance(caller, Response):
        return caller
    profile = _profile(caller, user_id)
    refusal, status = _refusal_for_missing_permission(), 403
    if refusal is None:
        try:
            body = audit_reports().user_access_report_csv(_token(), profile.user.id)
            return current_app.response_class(body, mimetype="text/csv", headers={
                "Content-Disposition":
                    f'attachment; filename="access-report-{profile.user.id}.csv"'})
        except AuditRefused as refused:
            refusal, status = _worded(refused), refused.status
        except AuditUnavailable as down:
            refusal, status = str(down), 503
    return render_template("app/user_audit.html", profile=profile, report=None,
                           refusal=refusal, status=status,
                           label=recognition_label(profile.recognition,
                                                   identity().config.vendor_name)), status


def _profile(caller: Caller, user_id: str) -> ConsoleProfile:
    ident = identity()
    profile, _ = console_profile(ident.uow(), caller, user_id[:64], catalog=ident.catalog,
                                 vendor_domain=ident.config.vendor_domain, now=ident.now())
    return profile


def _refusal_for_missing_permission() -> str | None:
    staff = current_staff()
    return None if staff is not None and staff.has(VIEW_AUDIT) else NEEDS_VIEW_AUDIT


def _token() -> str:
    token = access_token()
    assert token is not None  # manager_caller() just found the session signed in
    return token


def _worded(refused: AuditRefused) -> str:
    if refused.status == 403:
        return NEEDS_VIEW_AUDIT
    return refused.message or "The audit service refused the report."

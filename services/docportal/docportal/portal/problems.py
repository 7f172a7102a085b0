"""The portal's error pages: a clear title, what to do next, and the right status.

The JSON error handlers of the API stay as they are; these answer only for the portal's
own routes (blueprint error handlers) and speak HTML.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import Blueprint, render_template
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import HTTPException

from docportal.api.errors import ERROR_TABLE
from docportal.domain.errors import DocportalError
from docportal.portal.session import FormExpired
from docportal.service_layer.errors import ShareLinkUnknown
from docportal.service_layer.ports import IdentityUnavailable
from servicekit.web.errors import AppError

log = logging.getLogger("docportal.portal")


@dataclass(frozen=True)
class Problem:
    status: int
    code: str
    title: str
    message: str


_TITLES = {
    "share_link_unknown": "This link does not work",
    "wrong_recipient": "These documents were shared with someone else",
    "recipient_email_unverified": "Confirm your email address first",
    "share_expired": "This link has expired",
    "share_revoked": "The sender withdrew these documents",
    "share_superseded": "This link was replaced by a newer one",
    "document_not_found": "Document not found",
    "document_not_shared": "Document not found",
    "storage_unavailable": "Documents are unavailable right now",
    "identity_unavailable": "Sign-in is unavailable right now",
}
_STATUS = {ShareLinkUnknown: 404, IdentityUnavailable: 503}
_HTTP = {
    400: ("bad_request", "Something was wrong with that request",
          "Go back, reload the page and try again."),
    404: ("not_found", "Page not found",
          "Nothing lives at this address. Check the link, or go to your shared documents."),
    405: ("method_not_allowed", "Page not found",
          "Nothing lives at this address. Check the link, or go to your shared documents."),
    413: ("payload_too_large", "That was too much to send", "Go back and send less."),
}


def page(problem: Problem) -> tuple[str, int]:
    return render_template("portal/problem.html", problem=problem), problem.status


def for_error(err: DocportalError) -> Problem:
    status = next((s for cls, s in _STATUS.items() if isinstance(err, cls)), None)
    if status is None:
        status = next((ERROR_TABLE[cls][0] for cls in type(err).__mro__ if cls in ERROR_TABLE),
                      400)
    return Problem(status, err.code, _TITLES.get(err.code, "This did not work"), err.message)


def install_problem_pages(blueprint: Blueprint) -> None:
    @blueprint.errorhandler(DocportalError)
    def _refused(err: DocportalError) -> tuple[str, int]:
        return page(for_error(err))

    @blueprint.errorhandler(FormExpired)
    def _form_expired(_: FormExpired) -> tuple[str, int]:
        return page(Problem(400, "form_expired", "This form has expired",
                            "Go back, reload the page and send the form again."))

    @blueprint.errorhandler(AppError)
    def _refused_by_plumbing(err: AppError) -> tuple[str, int]:
        # Refusals of the shared request guards (a NUL in the address, ...) keep their status.
        return page(Problem(err.status, err.code, "This did not work", err.message))

    @blueprint.errorhandler(HTTPException)
    def _http(err: HTTPException) -> tuple[str, int]:
        status = err.code or 500
        code, title, message = _HTTP.get(status, ("error", "This did not work",
                                                  "Go back and try again."))
        return page(Problem(status, code, title, message))

    @blueprint.errorhandler(Exception)
    def _unexpected(err: Exception) -> tuple[str, int]:
        if isinstance(err, sa_exc.OperationalError | sa_exc.InterfaceError):
            log.warning("database unreachable: %s", type(err).__name__)
            return page(Problem(503, "database_unavailable", "The portal is unavailable",
                                "We cannot reach our records right now; try again shortly."))
        log.error("unhandled %s", type(err).__name__, exc_info=err)
        return page(Problem(500, "internal_error", "Something went wrong on our side",
                            "Try again; if it keeps failing, contact the sender."))

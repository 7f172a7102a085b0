"""The portal's error pages: a clear title, what to do next, and the right status.

The JSON error handlers of the API stay as they are; these answer only for the portal's
own routes (blueprint error handlers) and speak HTML. Docportal's refusals are worded here;
the rest (expired forms, HTTP errors, outages) by servicekit.web.pages.
"""

from __future__ import annotations

import logging

from flask import Blueprint, render_template

from docportal.api.errors import ERROR_TABLE
from docportal.domain.errors import DocportalError
from docportal.service_layer.errors import ShareLinkUnknown
from docportal.service_layer.ports import IdentityUnavailable
from servicekit.web.pages import Problem, install_page_problems

log = logging.getLogger("docportal.portal")

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

    install_page_problems(
        blueprint, page, log=log, unavailable_title="The portal is unavailable",
        not_found="Nothing lives at this address. Check the link, or go to your shared "
                  "documents.",
        ask_for_help="contact the sender")

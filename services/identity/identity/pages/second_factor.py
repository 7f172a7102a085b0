"""Enrolling a second factor from the sign-in page, when the account must have one.

The sign-in's enrollment token and the new secret wait in the server-side page session
(never in the cookie); the person scans the QR code, types the app's first code, and sees
their recovery codes once before going on, signed in.
"""

from __future__ import annotations

import segno
from flask import redirect, render_template, request, session, url_for
from markupsafe import Markup
from werkzeug.wrappers import Response

from identity.api.origin import client_origin
from identity.bootstrap import identity
from identity.domain.errors import IdentityError, SecondFactorRequired
from identity.pages.blueprint import blueprint, safe_next
from identity.pages.problems import for_error, page
from identity.pages.session import start_session
from identity.service_layer import second_factor as use_cases
from identity.service_layer.sessions import open_session_after_enrollment
from servicekit.web.pages import Problem, field

_TOKEN, _SECRET, _URI, _NEXT = "enrol_token", "enrol_secret", "enrol_uri", "enrol_next"
_CODES = "recovery_codes_once"
START_AGAIN = "This enrollment has ended. Sign in again to start a new one."


def begin_enrollment(token: str, next_page: str | None) -> Response:
    session[_TOKEN], session[_NEXT] = token, next_page or ""
    session.pop(_SECRET, None)
    return redirect(url_for("staff_pages.enrol_second_factor"))


@blueprint.route("/second-factor/enrol", methods=["GET", "POST"])
def enrol_second_factor() -> Response | tuple[str, int]:
    token = session.get(_TOKEN)
    if not token:
        return page(Problem(410, "link_unusable", "Enrollment ended", START_AGAIN))
    ident = identity()
    try:
        if _SECRET not in session:
            started = use_cases.start_enrollment(
                ident.uow(), ident.sealer, enrollment_token=token,
                issuer=ident.config.vendor_name, now=ident.now())
            session[_SECRET], session[_URI] = started.secret, started.otpauth_uri
        if request.method == "GET":
            return _enrol_page(), 200
        return _confirm(token, field("code", 40))
    except SecondFactorRequired as wrong:
        return _enrol_page(error=wrong.message), 401
    except IdentityError as ended:
        for key in (_TOKEN, _SECRET, _URI):
            session.pop(key, None)
        return page(for_error(ended))


def _confirm(token: str, code: str) -> Response | tuple[str, int]:
    if not code:
        return _enrol_page(error="Enter the 6-digit code your authenticator app shows."), 422
    ident = identity()
    enrolled = use_cases.confirm_enrollment(ident.uow(), ident.sealer, enrollment_token=token,
                                            code=code, now=ident.now())
    signed = open_session_after_enrollment(ident.uow(), enrolled, tokens=ident.tokens,
                                           catalog=ident.catalog, now=ident.now(),
                                           origin=client_origin())
    next_page = session.get(_NEXT) or None
    start_session(signed)  # a new session id: the enrollment's keys go with the old one
    session[_CODES], session[_NEXT] = enrolled.recovery_codes, next_page or ""
    return redirect(url_for("staff_pages.second_factor_codes"))


@blueprint.route("/second-factor/recovery-codes", methods=["GET"])
def second_factor_codes() -> Response | tuple[str, int]:
    """The recovery codes, shown once right after enrolling; afterwards, on to home."""
    codes = session.pop(_CODES, None)
    next_page = safe_next(session.pop(_NEXT, None) or None)
    if not codes:
        return redirect(next_page)
    return render_template("app/second_factor_codes.html", codes=codes, next=next_page), 200


def _enrol_page(error: str | None = None) -> str:
    qr = Markup(segno.make(session[_URI], error="m").svg_inline(scale=4, title="QR code"))
    return render_template("app/second_factor_enrol.html", qr=qr, secret=session[_SECRET],
                           error=error)

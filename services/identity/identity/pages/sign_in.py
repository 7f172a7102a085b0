"""Sign in, sign out, forgot password and reset password, with identity's own use cases."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from identity.api.origin import client_origin
from identity.api.passwords import FORGOT_ANSWER, ask_for_reset_link
from identity.bootstrap import identity
from identity.domain.errors import (
    PasswordRejected,
    SecondFactorEnrollmentRequired,
    SecondFactorRequired,
    SignInRefused,
    TooManyAttempts,
)
from identity.pages.blueprint import blueprint, safe_next
from identity.pages.second_factor import begin_enrollment
from identity.pages.session import current_staff, end_session, start_session
from identity.service_layer import password_resets, sessions
from identity.service_layer.errors import PracticeChoiceRequired
from identity.service_layer.password_links import open_password_link
from servicekit.web.pages import field, password_field

NOT_STAFF = "This account cannot use the staff pages. Sign in with your practice account."


@blueprint.route("/", methods=["GET"])
def start() -> Response:
    return redirect(url_for("staff_pages.home" if current_staff() else "staff_pages.login"))


@blueprint.route("/login", methods=["GET", "POST"])
def login() -> Response | tuple[str, int] | tuple[str, int, dict]:
    """Sign in with a staff account; the same throttle as the API's sign-in."""
    next_page = request.values.get("next")
    if request.method == "GET":
        if current_staff() is not None:
            return redirect(safe_next(next_page))
        return render_template("app/login.html", next=next_page, email=""), 200
    email, password = field("email"), password_field("password")
    practice_id = field("practice_id", 64) or None
    otp = field("otp", 40) or None
    if not email or not password:
        return _login_again(next_page, email, "Enter your email address and password.", 422)
    try:
        signed = sign_in_staff(email, password, practice_id, otp)
    except SecondFactorEnrollmentRequired as enrol:
        return begin_enrollment(enrol.details["enrollment_token"], next_page)
    except SecondFactorRequired as ask:
        return render_template("app/login.html", next=next_page, email=email,
                               practice_id=practice_id, ask_code=True,
                               error=f"{ask.message} Type your password again with it."), 401
    except PracticeChoiceRequired as choice:
        return render_template("app/login.html", next=next_page, email=email,
                               practices=choice.details.get("practices", []),
                               error=choice.message), 409
    except (SignInRefused, TooManyAttempts) as refused:
        return _refused(next_page, email, refused)
    if start_session(signed) is None:
        return _login_again(next_page, email, NOT_STAFF, 403)
    return redirect(safe_next(next_page))


@blueprint.route("/logout", methods=["POST"])
def logout() -> Response:
    end_session()
    flash("You are signed out.")
    return redirect(url_for("staff_pages.login"))


@blueprint.route("/forgot-password", methods=["GET", "POST"])
def forgot_password() -> tuple[str, int] | tuple[str, int, dict]:
    """Mail a reset link; the answer never says whether the account exists."""
    if request.method == "GET":
        return render_template("app/forgot_password.html", email="", sent=False), 200
    email = field("email")
    if "@" not in email:
        return render_template("app/forgot_password.html", email=email, sent=False,
                               error="Enter the email address you sign in with."), 422
    try:
        ask_for_reset_link(email, "staff")
    except TooManyAttempts as refused:
        return (render_template("app/forgot_password.html", email=email, sent=False,
                                error=refused.message), 429, _retry_after(refused))
    return render_template("app/forgot_password.html", email="", sent=True,
                           message=FORGOT_ANSWER), 200


@blueprint.route("/reset-password", methods=["GET", "POST"])
def reset_password() -> Response | tuple[str, int]:
    """Choose a new password with the link from the email; every session ends."""
    token = request.values.get("token") or ""
    ident = identity()
    holder = open_password_link(ident.uow(), token=token, kind="reset", now=ident.now())
    if request.method == "GET":
        return render_template("app/reset_password.html", token=token, holder=holder), 200
    password, again = password_field("password"), password_field("password_confirm")
    if not password or password != again:
        return render_template("app/reset_password.html", token=token, holder=holder,
                               error="Type the same new password in both fields."), 422
    try:
        password_resets.reset_password(ident.uow(), token=token, password=password,
                                       hashing=ident.hashing, now=ident.now(),
                                       catalog=ident.catalog)
    except PasswordRejected as rejected:
        return render_template("app/reset_password.html", token=token, holder=holder,
                               error=rejected.message,
                               reasons=rejected.details.get("reasons", [])), 422
    end_session()
    flash("Your password is changed. Sign in with your new password.")
    return redirect(url_for("staff_pages.login"))


def sign_in_staff(email: str, password: str, practice_id: str | None,
                  otp: str | None = None) -> sessions.Session:
    """The API's sign-in use case, with this client's address for its throttle."""
    ident = identity()
    return sessions.sign_in(
        ident.uow(), email=email, password=password, practice_id=practice_id,
        hashing=ident.hashing, tokens=ident.tokens, catalog=ident.catalog, now=ident.now(),
        account="staff", origin=client_origin(), sealer=ident.sealer, otp=otp)


def _refused(next_page: str | None, email: str, refused: SignInRefused | TooManyAttempts
             ) -> tuple[str, int, dict]:
    headers = _retry_after(refused)
    return (render_template("app/login.html", next=next_page, email=email,
                            error=refused.message), 429 if headers else 401, headers)


def _retry_after(refused: SignInRefused | TooManyAttempts) -> dict[str, str]:
    seconds = refused.details.get("retry_after_seconds")
    return {"Retry-After": str(max(1, int(seconds)))} if seconds is not None else {}


def _login_again(next_page: str | None, email: str, error: str, status: int
                 ) -> tuple[str, int]:
    return render_template("app/login.html", next=next_page, email=email,
                           error=error), status

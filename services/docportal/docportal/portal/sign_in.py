"""Sign in, sign out, forgot password and reset password, all through identity."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from docportal.bootstrap import docportal
from docportal.portal.blueprint import blueprint, safe_next
from docportal.portal.forms import (
    field,
    password_field,
    refusal_message,
    refusal_status,
)
from docportal.portal.session import (
    current_recipient,
    end_session,
    pending_link,
    remember_link,
    start_session,
)
from docportal.service_layer.ports import IdentityRefused

NOT_A_RECIPIENT = ("This account cannot use the document portal. Sign in with the account "
                   "you created from a share link.")
SENT = "If an account with this email exists, we sent a link to reset its password."


@blueprint.route("/", methods=["GET"])
def home() -> Response:
    return redirect(url_for("portal.shared" if current_recipient() else "portal.login"))


@blueprint.route("/login", methods=["GET", "POST"])
def login() -> Response | tuple[str, int]:
    """Sign in with a recipient account; back to the share link that sent the person here."""
    next_page = request.values.get("next")
    if request.method == "GET":
        if current_recipient() is not None:
            return redirect(safe_next(next_page))
        return render_template("portal/login.html", next=next_page, email=""), 200
    email, password = field("email"), password_field("password")
    if not email or not password:
        return _login_again(next_page, email, "Enter your email address and password.", 422)
    try:
        tokens = docportal().accounts.sign_in(email, password)
    except IdentityRefused as refused:
        return _login_again(next_page, email, refusal_message(refused),
                            refusal_status(refused))
    link = pending_link()
    if start_session(tokens) is None:
        if link:
            remember_link(link)
        return _login_again(next_page, email, NOT_A_RECIPIENT, 403)
    if link:
        return redirect(url_for("portal.open_link", token=link))
    return redirect(safe_next(next_page))


@blueprint.route("/logout", methods=["POST"])
def logout() -> Response:
    end_session()
    flash("You are signed out.")
    return redirect(url_for("portal.login"))


@blueprint.route("/forgot-password", methods=["GET", "POST"])
def forgot_password() -> tuple[str, int]:
    """Ask identity to mail a reset link; the answer never says whether the account exists."""
    if request.method == "GET":
        return render_template("portal/forgot_password.html", email="", sent=False), 200
    email = field("email")
    if "@" not in email:
        return render_template("portal/forgot_password.html", email=email, sent=False,
                               error="Enter the email address you signed up with."), 422
    try:
        docportal().accounts.forgot_password(email)
    except IdentityRefused as refused:
        return render_template("portal/forgot_password.html", email=email, sent=False,
                               error=refusal_message(refused)), refusal_status(refused)
    return render_template("portal/forgot_password.html", email="", sent=True,
                           message=SENT), 200


@blueprint.route("/reset-password", methods=["GET", "POST"])
def reset_password() -> Response | tuple[str, int]:
    """Choose a new password with the link from the email; every session ends."""
    token = request.values.get("token") or ""
    if not token:
        return render_template("portal/reset_password.html", token="", error=(
            "This page needs the link from the password reset email. Ask for a new one.")), 400
    if request.method == "GET":
        return render_template("portal/reset_password.html", token=token), 200
    password, again = password_field("password"), password_field("password_confirm")
    if not password or password != again:
        return render_template("portal/reset_password.html", token=token,
                               error="Type the same new password in both fields."), 422
    try:
        docportal().accounts.reset_password(token, password)
    except IdentityRefused as refused:
        return render_template("portal/reset_password.html", token=token,
                               expired=refused.status == 410,
                               error=refusal_message(refused)), refusal_status(refused)
    end_session()
    flash("Your password is changed. Sign in with your new password.")
    return redirect(url_for("portal.login"))


def _login_again(next_page: str | None, email: str, error: str, status: int
                 ) -> tuple[str, int]:
    return render_template("portal/login.html", next=next_page, email=email,
                           error=error), status

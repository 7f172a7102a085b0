"""The share link from the email: sign in or register, then the share is claimed and listed."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from docportal.bootstrap import docportal
from docportal.domain.errors import RegistrationEmailMismatch, SignInRequired
from docportal.portal.blueprint import blueprint, client_description
from docportal.portal.forms import (
    MAX_NAME,
    field,
    password_field,
    refusal_message,
    refusal_status,
)
from docportal.portal.session import current_recipient, remember_link, start_session
from docportal.service_layer import recipients
from docportal.service_layer.ports import IdentityRefused

OPENED = "The shared documents are in your list below."


@blueprint.route("/s/<token>", methods=["GET"])
def open_link(token: str) -> Response | tuple[str, int]:
    """The recipient's way in: claim on the first in-time open, then the list of documents."""
    portal = docportal()
    try:
        share = recipients.open_share_link(portal.uow(), token, current_recipient(),
                                           client_description(), portal.now())
    except SignInRequired:
        remember_link(token)
        return _link_page(token, 200)
    flash(OPENED)
    return redirect(url_for("portal.shared", _anchor=f"share-{share.id}"))


@blueprint.route("/s/<token>/register", methods=["POST"])
def register(token: str) -> Response | tuple[str, int]:
    """Create a free recipient account with the address the link was sent to."""
    email, full_name = field("email"), field("full_name", MAX_NAME)
    password, again = password_field("password"), password_field("password_confirm")
    form = {"email": email, "full_name": full_name}
    if not email or not full_name or not password:
        return _link_page(token, 422, register_error="Fill in every field.", form=form)
    if password != again:
        return _link_page(token, 422, form=form,
                          register_error="Type the same password in both password fields.")
    portal = docportal()
    try:
        tokens = recipients.register_from_link(
            portal.uow(), portal.accounts, token=token, email=email, full_name=full_name,
            password=password, client=client_description(), now=portal.now())
    except RegistrationEmailMismatch as err:
        return _link_page(token, 422, register_error=err.message, form=form)
    except IdentityRefused as refused:
        return _link_page(token, refusal_status(refused), form=form,
                          register_error=refusal_message(refused),
                          account_exists=refused.status == 409)
    if start_session(tokens) is None:
        return _link_page(token, 403, form=form, register_error=(
            "The new account cannot sign in to the portal yet; try signing in below."))
    return redirect(url_for("portal.open_link", token=token))


def _link_page(token: str, status: int, **context: object) -> tuple[str, int]:
    context.setdefault("form", {"email": "", "full_name": ""})
    return render_template("portal/link.html", token=token, **context), status

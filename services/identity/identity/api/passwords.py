"""Password reset by email, for staff and document portal recipients alike."""

from __future__ import annotations

from functools import partial
from typing import Any

from flask_smorest import Blueprint

from identity.api.origin import client_origin
from identity.api.schemas import (
    PasswordForgotAnswerSchema,
    PasswordForgotSchema,
    PasswordResetSchema,
)
from identity.bootstrap import identity
from identity.service_layer import password_resets
from servicekit.web.openapi import documents_errors

blp = Blueprint("passwords", __name__, description="Password reset by email")

# The same words whether or not the address has an account: no account enumeration.
FORGOT_ANSWER = "If an account with this email exists, we sent a link to reset its password."


@blp.route("/password/forgot", methods=["POST"])
@documents_errors(429)
@blp.arguments(PasswordForgotSchema)
@blp.response(202, PasswordForgotAnswerSchema)
def forgot(body: dict) -> dict[str, Any]:
    """Mail a one-hour reset link to the account with this email, if there is one.

    The mail goes out after the answer, so the answer takes as long for any address; at
    most 3 links per account an hour, and 10 requests per client address in 15 minutes
    (429 too_many_reset_requests with Retry-After past that).
    """
    ask_for_reset_link(body["email"], body["account"])
    return {"status": FORGOT_ANSWER}


def ask_for_reset_link(email: str, account: password_resets.Account) -> None:
    """Count the request against its limits, then mail the link once the answer has left."""
    ident = identity()
    accepted = password_resets.request_password_reset(
        ident.uow(), email=email, account=account, origin=client_origin(), now=ident.now())
    if accepted is not None:
        ident.after_answer.submit(partial(password_resets.mail_reset_links, ident.uow(),
                                          accepted, ident.mailer))


@blp.route("/password/reset", methods=["POST"])
@documents_errors(410)
@blp.arguments(PasswordResetSchema)
@blp.response(204)
def reset(body: dict) -> None:
    """Choose a new password with a reset link's token; every session of the account ends."""
    ident = identity()
    password_resets.reset_password(ident.uow(), token=body["token"], password=body["password"],
                                   hashing=ident.hashing, now=ident.now(),
                                   catalog=ident.catalog)

"""The one table from the identity service's refusals to HTTP statuses and error codes."""

from __future__ import annotations

from flask import Flask, Response

from identity.adapters.signing_keys import SigningKeysInvalid
from identity.domain import errors as e
from identity.service_layer.errors import (
    InvalidProof,
    NotFoundInPractice,
    PracticeChoiceRequired,
)
from servicekit.web.errors import ErrorTable, error_response, error_table_by_family

# The status of each family of refusals; every concrete class keeps its own code.
_STATUS_BY_FAMILY: dict[type[e.IdentityError], int] = {
    e.InvalidRequest: 422,
    e.NotAllowed: 403,
    NotFoundInPractice: 404,
    e.AcknowledgementRequired: 409,
    e.SeatLimitReached: 409,
    e.StateConflict: 409,
    PracticeChoiceRequired: 409,
    e.LinkExpired: 410,
    e.LinkUnusable: 410,
    e.SignInRefused: 401,  # 429 with Retry-After while throttled, see below
    e.TooManyAttempts: 429,
    e.RefreshRefused: 401,
    e.SecondFactorRequired: 401,
    e.SecondFactorEnrollmentRequired: 403,
    InvalidProof: 400,
    e.TokenRequestRefused: 400,  # POST /oauth/token, RFC 6749 5.2
    e.InvalidClient: 401,  # with WWW-Authenticate, see api/oauth.py
}


ERROR_TABLE: ErrorTable = error_table_by_family(e.IdentityError, _STATUS_BY_FAMILY)
ERROR_TABLE[SigningKeysInvalid] = (503, "signing_keys_invalid")


def _retry_later(err: e.SignInRefused | e.TooManyAttempts) -> Response:
    retry_after = err.details.get("retry_after_seconds")
    if retry_after is None:
        return error_response(401, err.code, err.message)
    return error_response(429, err.code, err.message, err.details,
                          {"Retry-After": str(max(1, int(retry_after)))})


def install_error_headers(app: Flask) -> None:
    """Refusals that need a header (Retry-After) beyond the table's status and code."""
    app.register_error_handler(e.SignInRefused, _retry_later)
    app.register_error_handler(e.TooManyAttempts, _retry_later)

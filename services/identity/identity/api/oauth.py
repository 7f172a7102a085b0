"""POST /oauth/token: the OAuth2 client credentials grant (RFC 6749, section 4.4)."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote_plus

from flask import Response, request
from flask_smorest import Blueprint

from identity.api.service_account_schemas import ClientTokenRequestSchema, ClientTokenSchema
from identity.bootstrap import identity
from identity.domain.client_credentials import read_token_request
from identity.domain.errors import InvalidClient
from identity.service_layer.client_tokens import issue_client_token
from servicekit.web.errors import error_response

blp = Blueprint("oauth", __name__, description="Tokens for machines (client credentials)")


@blp.route("/oauth/token", methods=["POST"])
@blp.arguments(ClientTokenRequestSchema, location="form")
@blp.response(200, ClientTokenSchema, headers={"Cache-Control": {"schema": {"type": "string"}}})
def token(body: dict) -> tuple[dict[str, Any], int, dict[str, str]]:
    """Trade a service account's client_id and client_secret for an access token.

    Form-encoded ``grant_type=client_credentials``; the credentials in the body or in HTTP
    Basic. Errors: 400 ``invalid_request`` / ``unsupported_grant_type`` / ``invalid_scope``,
    401 ``invalid_client`` (one answer for unknown, wrong and revoked).
    """
    ident = identity()
    client_request = read_token_request(
        grant_type=body["grant_type"], client_id=body["client_id"],
        client_secret=body["client_secret"], basic=_basic_credentials(), scope=body["scope"])
    issued = issue_client_token(ident.uow(), client_request, tokens=ident.tokens,
                                catalog=ident.catalog, now=ident.now())
    answer = {"access_token": issued.access_token, "token_type": "Bearer",
              "expires_in": issued.expires_in, "scope": issued.scope}
    # RFC 6749 5.1: a response carrying a token is never cached.
    return answer, 200, {"Cache-Control": "no-store", "Pragma": "no-cache"}


def _basic_credentials() -> tuple[str, str] | None:
    auth = request.authorization
    if auth is None or auth.type != "basic":
        return None
    # RFC 6749 2.3.1: both parts are form-urlencoded before they are joined and encoded.
    return unquote_plus(auth.username or ""), unquote_plus(auth.password or "")


@blp.errorhandler(InvalidClient)
def _invalid_client(err: InvalidClient) -> Response:
    # RFC 6749 5.2: a 401 for the client names the authentication scheme it accepts.
    return error_response(401, err.code, err.message, err.details,
                          {"WWW-Authenticate": 'Basic realm="identity", charset="UTF-8"',
                           "Cache-Control": "no-store"})

"""The OAuth2 client credentials grant (RFC 6749, section 4.4): who is asking, and for what.

Every failure to authenticate the client gets the same answer (unknown client, wrong
secret, revoked account), so the endpoint tells nobody which client ids exist. The secret
is compared in constant time against a hash, and an unknown client still costs a
comparison, so timing does not tell either.
"""

from __future__ import annotations

from dataclasses import dataclass

from identity.domain.errors import (
    InvalidClient,
    InvalidScope,
    TokenRequestRefused,
    UnsupportedGrantType,
)
from identity.domain.service_accounts import ServiceAccount
from identity.domain.tokens import hash_token, token_matches

CLIENT_CREDENTIALS = "client_credentials"
_NO_ACCOUNT_HASH = hash_token("no such service account")
CHECK_CREDENTIALS = ("Client authentication failed. Check the client_id and client_secret, or "
                     "ask your practice's Admin to rotate the secret or create a new account.")


@dataclass(frozen=True)
class TokenRequest:
    client_id: str
    client_secret: str
    scope: str | None


def read_token_request(
    *, grant_type: str | None, client_id: str | None, client_secret: str | None,
    basic: tuple[str, str] | None, scope: str | None,
) -> TokenRequest:
    """The request's grant and credentials, from the body or HTTP Basic, but never both."""
    if not grant_type:
        raise TokenRequestRefused("Say which grant you want: grant_type=client_credentials.",
                                  {"field": "grant_type"})
    if grant_type != CLIENT_CREDENTIALS:
        raise UnsupportedGrantType(
            f"This endpoint issues tokens for the {CLIENT_CREDENTIALS} grant only; people "
            "sign in with POST /login.", {"grant_type": grant_type,
                                          "supported": [CLIENT_CREDENTIALS]})
    # RFC 6749 2.3: a client uses one authentication method per request (a client_id
    # repeated in the body beside HTTP Basic is tolerated, a secret is not).
    if basic is not None and (client_secret or (client_id and client_id != basic[0])):
        raise TokenRequestRefused("Send the client credentials once: in the Authorization "
                                      "header or in the body, not both.")
    given_id, given_secret = basic if basic is not None else (client_id, client_secret)
    if not given_id or not given_secret:
        raise InvalidClient(CHECK_CREDENTIALS, {"reason": "missing_credentials"})
    return TokenRequest(given_id, given_secret, (scope or "").strip() or None)


def authenticate_client(account: ServiceAccount | None, secret: str) -> ServiceAccount:
    """The account if the secret is its current one and it is not revoked; else invalid_client."""
    matches = token_matches(secret, account.secret_hash if account else _NO_ACCOUNT_HASH)
    if account is None or not matches or not account.active:
        raise InvalidClient(CHECK_CREDENTIALS)
    return account


def granted_scope(account: ServiceAccount, requested: str | None) -> str:
    """The account's one scope; a client may name it, but may not ask for another."""
    wanted = set((requested or account.scope).split())
    if wanted != {account.scope}:
        raise InvalidScope(f"This client holds the scope {account.scope!r} only; ask for it, or "
                           "leave scope out.", {"requested": sorted(wanted),
                                                "granted": account.scope})
    return account.scope

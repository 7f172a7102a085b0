"""Access tokens: verify identity's signed JWTs and guard views by permission."""

import functools
import json
import logging
import threading
import time
import urllib.request
from collections import OrderedDict
from collections.abc import Callable, Sequence
from copy import deepcopy
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

import jwt
from flask import current_app, g, request

from servicekit.token_state import SESSION_ENDED, TOKEN_OUTDATED, TokenState
from servicekit.web.errors import Forbidden, ServiceUnavailable, Unauthorized

log = logging.getLogger("servicekit.auth")

KINDS = frozenset({"staff", "recipient", "automation", "vendor", "service"})

# Only asymmetric algorithms, each tied to the key type that may sign with it: a token
# must never pick its own verification method (alg "none", or HS256 with a public key).
_ALGORITHMS_BY_KEY_TYPE = {
    "OKP": frozenset({"EdDSA"}),
    "RSA": frozenset({"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"}),
    "EC": frozenset({"ES256", "ES384", "ES512"}),
}
_ASYMMETRIC = frozenset().union(*_ALGORITHMS_BY_KEY_TYPE.values())
_REQUIRED_CLAIMS = ("exp", "iat", "sub", "iss", "aud", "kind")

# A verification key with the "alg" its JWK pins, if any.
_Key = tuple[jwt.PyJWK, str | None]
#: How many verified tokens each verifier remembers (about 1 kB each).
VERIFIED_TOKENS = 10_000


@dataclass(frozen=True)
class Principal:
    """Who is calling, as the access token says."""

    user_id: str
    org_id: str | None
    kind: str
    email: str | None = None
    user_type: str | None = None
    permissions: frozenset[str] = frozenset()
    clinics: tuple[str, ...] = ()
    permission_version: int = 0
    session_id: str | None = None
    claims: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def has(self, permission: str) -> bool:
        return permission in self.permissions

    @classmethod
    def from_claims(cls, claims: dict[str, Any]) -> "Principal":
        return cls(
            user_id=str(claims["sub"]),
            org_id=claims.get("org"),
            kind=claims["kind"],
            email=claims.get("email"),
            user_type=claims.get("user_type"),
            permissions=frozenset(claims.get("perms") or ()),
            clinics=tuple(claims.get("clinics") or ()),
            permission_version=int(claims.get("pv") or 0),
            session_id=claims.get("sid"),
            claims=dict(claims),
        )


class InvalidToken(Exception):
    """The token cannot be trusted; the message is a short reason for the logs."""


class KeySetUnavailable(Exception):
    """The identity service's public keys could not be fetched."""


class TokenVerifier:
    """Verify access tokens against a JWKS given inline or fetched (and cached) from a URL."""

    def __init__(
        self,
        *,
        issuer: str,
        audience: str,
        jwks_url: str | None = None,
        jwks: dict[str, Any] | None = None,
        algorithms: Sequence[str] = ("EdDSA", "RS256"),
        leeway_seconds: int = 0,
        cache_seconds: int = 300,
        refetch_interval_seconds: float = 10.0,
        fetch_timeout_seconds: float = 5.0,
        verified_tokens: int = VERIFIED_TOKENS,
    ) -> None:
        if (jwks is None) == (jwks_url is None):
            raise ValueError("give exactly one of jwks or jwks_url")
        unsafe = set(algorithms) - _ASYMMETRIC
        if unsafe:
            raise ValueError(f"refusing non-asymmetric algorithms: {sorted(unsafe)}")
        self.issuer, self.audience = issuer, audience
        self.algorithms = frozenset(algorithms)
        self.leeway, self.cache_seconds = leeway_seconds, cache_seconds
        self._jwks_url, self._timeout = jwks_url, fetch_timeout_seconds
        self._refetch_interval = refetch_interval_seconds
        self._lock = threading.Lock()
        self._keys: dict[str, _Key] = {}
        self._fetched_at: float | None = None
        self._attempted_at: float | None = None
        if jwks is not None:
            self._keys = _parse_key_set(jwks)
        self._verified = _VerifiedTokens(verified_tokens)

    def verify(self, token: str) -> Principal:
        """The token's principal if its signature and claims hold. A token verified before is
        answered from memory while it has not expired and the key that signed it is still
        the key set's (revocation is the token state's business, checked on every request)."""
        remembered = self._verified.get(token)
        if remembered is not None:
            principal, kid, key, valid_until = remembered
            # A refetched key set holds new objects: the same public key still counts.
            if time.time() < valid_until and self._key(kid)[0].key == key.key:
                return principal
            self._verified.forget(token)
        principal, kid, key = self._verify_signed(token)
        valid_until = principal.claims["exp"] + self.leeway
        self._verified.remember(token, (principal, kid, key, valid_until))
        return principal

    def _verify_signed(self, token: str) -> tuple[Principal, str, jwt.PyJWK]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as err:
            raise InvalidToken("malformed token") from err
        kid, alg = header.get("kid"), header.get("alg")
        if not isinstance(kid, str) or not kid:
            raise InvalidToken("token header has no kid")
        if alg not in self.algorithms:
            raise InvalidToken(f"algorithm {alg!r} is not allowed")
        key, declared = self._key(kid)
        allowed = _ALGORITHMS_BY_KEY_TYPE.get(key.key_type or "", frozenset())
        if alg not in allowed or (declared and declared != alg):
            raise InvalidToken(f"algorithm {alg!r} does not match key {kid!r}")
        try:
            claims = jwt.decode(
                token, key=key.key, algorithms=[alg], audience=self.audience,
                issuer=self.issuer, leeway=self.leeway,
                options={"require": list(_REQUIRED_CLAIMS)},
            )
        except jwt.PyJWTError as err:
            raise InvalidToken(str(err) or type(err).__name__) from err
        if claims["kind"] not in KINDS:
            raise InvalidToken(f"unknown kind {claims['kind']!r}")
        _check_claim_types(claims)
        if not isinstance(claims["exp"], int | float) or isinstance(claims["exp"], bool):
            raise InvalidToken("claim exp must be a number")
        return Principal.from_claims(claims), kid, key

    def _key(self, kid: str) -> _Key:
        if self._jwks_url is not None:
            with self._lock:
                self._refresh_if_due(self._jwks_url, kid, time.monotonic())
        if kid not in self._keys:
            raise InvalidToken(f"unknown kid {kid!r}")
        return self._keys[kid]

    def _refresh_if_due(self, url: str, kid: str, now: float) -> None:
        fresh = self._fetched_at is not None and now - self._fetched_at < self.cache_seconds
        # An unknown kid may mean identity rotated its keys; refetch, but at most once per
        # interval, or a flood of forged kids (or an identity outage) would hammer it.
        tried_lately = (
            self._attempted_at is not None and now - self._attempted_at < self._refetch_interval
        )
        if (not fresh or kid not in self._keys) and not tried_lately:
            self._attempted_at = now
            try:
                with urllib.request.urlopen(url, timeout=self._timeout) as response:
                    self._keys = _parse_key_set(json.load(response))
                self._fetched_at = now
            except (OSError, ValueError) as err:
                # Keep serving with the last good keys until identity answers again.
                log.warning("cannot fetch JWKS: %s", type(err).__name__)
        if not self._keys:
            raise KeySetUnavailable("the identity service's keys cannot be fetched")


class _VerifiedTokens:
    """Verified tokens, least recently used dropped first: (principal, kid, key, valid until).

    Checking an EdDSA or RSA signature costs far more than the rest of a small request, and a
    client sends the same token with every request for its ten minutes."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[str, tuple[Principal, str, jwt.PyJWK, float]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, token: str) -> tuple[Principal, str, jwt.PyJWK, float] | None:
        with self._lock:
            entry = self._entries.get(token)
            if entry is not None:
                self._entries.move_to_end(token)
            return entry

    def remember(self, token: str, entry: tuple[Principal, str, jwt.PyJWK, float]) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._entries[token] = entry
            self._entries.move_to_end(token)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def forget(self, token: str) -> None:
        with self._lock:
            self._entries.pop(token, None)


def _check_claim_types(claims: dict[str, Any]) -> None:
    # A string where a list belongs would become a set of single letters as permissions.
    for name in ("perms", "clinics"):
        value = claims.get(name, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise InvalidToken(f"claim {name} must be a list of strings")
    if not isinstance(claims.get("pv", 0), int) or isinstance(claims.get("pv"), bool):
        raise InvalidToken("claim pv must be an integer")
    if not isinstance(claims.get("sid", ""), str):
        raise InvalidToken("claim sid must be a string")


def _parse_key_set(jwks: Any) -> dict[str, _Key]:
    if not isinstance(jwks, dict) or not isinstance(jwks.get("keys"), list):
        raise ValueError("not a JWKS document")
    keys: dict[str, _Key] = {}
    for data in jwks["keys"]:
        if not isinstance(data, dict):
            continue
        # Symmetric ("oct") keys and keys without a kid are never accepted.
        if data.get("kty") not in _ALGORITHMS_BY_KEY_TYPE or not data.get("kid"):
            continue
        try:
            keys[data["kid"]] = (jwt.PyJWK(data), data.get("alg"))
        except jwt.PyJWTError:
            log.warning("skipping unusable JWK %s", data.get("kid"))
    return keys


# --- Flask glue ---------------------------------------------------------------------

SIGN_IN_AGAIN = "Sign in again: your access token is missing, expired or invalid."
F = TypeVar("F", bound=Callable[..., Any])


def current_principal() -> Principal:
    principal: Principal | None = g.get("principal")
    if principal is None:
        raise Unauthorized(SIGN_IN_AGAIN)
    return principal


def _authenticate() -> Principal:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized(SIGN_IN_AGAIN)
    principal = check_token(token.strip())
    g.principal = principal
    return principal


_REFUSALS = {
    TOKEN_OUTDATED: "Your permissions or password changed; refresh your token or sign in again.",
    SESSION_ENDED: "This session has ended (signed out or revoked); sign in again.",
}


def check_token(token: str) -> Principal:
    """Verify ``token`` and refuse it if identity revoked it since (the app's token state)."""
    verifier: TokenVerifier | None = current_app.extensions.get("servicekit.verifier")
    if verifier is None:
        raise Unauthorized(SIGN_IN_AGAIN)
    try:
        principal = verifier.verify(token)
    except InvalidToken as err:
        log.info("token refused: %s", err)
        raise Unauthorized(SIGN_IN_AGAIN) from None
    except KeySetUnavailable:
        raise ServiceUnavailable(
            "Sign-in cannot be checked right now; try again shortly."
        ) from None
    token_state: TokenState = current_app.extensions["servicekit.token_state"]
    refusal = token_state.refusal(principal)
    if refusal is not None:
        log.info("token refused: %s", refusal)
        raise Unauthorized(_REFUSALS[refusal], code=refusal)
    return principal


def _guard(check: Callable[[Principal], None]) -> Callable[[F], F]:
    def decorator(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            check(_authenticate())
            return view(*args, **kwargs)

        # Document the bearer requirement the way flask-smorest's @blp.doc would.
        apidoc = deepcopy(getattr(view, "_apidoc", {}))
        apidoc.setdefault("manual_doc", {})["security"] = [{"bearerAuth": []}]
        vars(wrapper)["_apidoc"] = apidoc
        return cast(F, wrapper)

    return decorator


def _check_kind(principal: Principal, kinds: Sequence[str] | None) -> None:
    if kinds is not None and principal.kind not in kinds:
        raise Forbidden(
            "This action is not available to your kind of account.",
            code="kind_not_allowed", details={"allowed_kinds": sorted(kinds)},
        )


def authenticated(view: F | None = None, *, kinds: Sequence[str] | None = None) -> Any:
    """Require any valid bearer token (optionally of given kinds); sets flask.g.principal."""
    decorator = _guard(lambda principal: _check_kind(principal, kinds))
    return decorator(view) if view is not None else decorator


def require_permission(*permissions: str, kinds: Sequence[str] | None = None) -> Callable[[F], F]:
    """Require a valid token that carries every one of `permissions`."""

    def check(principal: Principal) -> None:
        _check_kind(principal, kinds)
        missing = [p for p in permissions if not principal.has(p)]
        if missing:
            raise Forbidden(
                f"You need the {', '.join(missing)} permission for this; ask a User Manager "
                f"in your practice to grant it.",
                code="permission_required", details={"missing": missing},
            )

    return _guard(check)

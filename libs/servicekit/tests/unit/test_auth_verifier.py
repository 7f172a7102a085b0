import base64
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from jwt.algorithms import ECAlgorithm, OKPAlgorithm, RSAAlgorithm

from servicekit.auth import InvalidToken, KeySetUnavailable, TokenVerifier

ISSUER, AUDIENCE = "https://identity.clinic.test", "clinic-platform"
ED_KEY = ed25519.Ed25519PrivateKey.generate()
RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def jwk(private_key, kid: str) -> dict:
    algorithm = {
        ed25519.Ed25519PrivateKey: OKPAlgorithm, rsa.RSAPrivateKey: RSAAlgorithm,
        ec.EllipticCurvePrivateKey: ECAlgorithm,
    }
    for key_class, alg in algorithm.items():
        if isinstance(private_key, key_class):
            return {**alg.to_jwk(private_key.public_key(), as_dict=True), "kid": kid}
    raise TypeError(private_key)


JWKS = {"keys": [jwk(ED_KEY, "ed-1"), jwk(RSA_KEY, "rsa-1")]}


def claims(**overrides) -> dict:
    now = int(time.time())
    base = {
        "sub": "u-1", "org": "o-1", "kind": "staff", "email": "ada@clinic.test",
        "user_type": "physical_therapist", "perms": ["view_patients", "start_notes"],
        "clinics": ["c-1"], "pv": 3, "iat": now, "exp": now + 300,
        "iss": ISSUER, "aud": AUDIENCE,
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def sign(payload: dict, key=ED_KEY, alg: str = "EdDSA", kid: str | None = "ed-1") -> str:
    headers = {"kid": kid} if kid is not None else {}
    return jwt.encode(payload, key, algorithm=alg, headers=headers)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@pytest.fixture
def verifier():
    return TokenVerifier(issuer=ISSUER, audience=AUDIENCE, jwks=JWKS)


def test_valid_eddsa_token_gives_the_principal(verifier):
    principal = verifier.verify(sign(claims()))
    assert principal.user_id == "u-1"
    assert principal.org_id == "o-1"
    assert principal.kind == "staff"
    assert principal.email == "ada@clinic.test"
    assert principal.user_type == "physical_therapist"
    assert principal.permissions == frozenset({"view_patients", "start_notes"})
    assert principal.clinics == ("c-1",)
    assert principal.permission_version == 3
    assert principal.has("start_notes") and not principal.has("manage_users")
    assert principal.claims["iss"] == ISSUER


def test_valid_rs256_token_is_accepted(verifier):
    assert verifier.verify(sign(claims(), RSA_KEY, "RS256", "rsa-1")).user_id == "u-1"


def refused(verifier, token: str, reason: str) -> None:
    with pytest.raises(InvalidToken, match=reason):
        verifier.verify(token)


def test_alg_none_is_refused(verifier):
    refused(verifier, jwt.encode(claims(), None, algorithm="none", headers={"kid": "ed-1"}),
            "not allowed")


def test_hs256_signed_with_the_public_key_is_refused(verifier):
    public_pem = RSA_KEY.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    signing_input = (
        b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": "rsa-1"}).encode())
        + "." + b64(json.dumps(claims()).encode())
    )
    mac = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
    refused(verifier, f"{signing_input}.{b64(mac)}", "not allowed")


def test_alg_that_does_not_match_the_key_type_is_refused(verifier):
    refused(verifier, sign(claims(), RSA_KEY, "RS256", kid="ed-1"), "does not match")


def test_token_signed_by_another_key_is_refused(verifier):
    refused(verifier, sign(claims(), ed25519.Ed25519PrivateKey.generate()), "Signature")


def test_expired_token_is_refused(verifier):
    refused(verifier, sign(claims(exp=int(time.time()) - 5)), "expired")


def test_leeway_tolerates_small_clock_skew():
    lenient = TokenVerifier(issuer=ISSUER, audience=AUDIENCE, jwks=JWKS, leeway_seconds=30)
    assert lenient.verify(sign(claims(exp=int(time.time()) - 5))).user_id == "u-1"


def test_token_issued_in_the_future_is_refused(verifier):
    refused(verifier, sign(claims(iat=int(time.time()) + 600)), "not yet valid")


def test_token_for_another_audience_is_refused(verifier):
    refused(verifier, sign(claims(aud="billing-system")), "(?i)audience")


def test_token_from_another_issuer_is_refused(verifier):
    refused(verifier, sign(claims(iss="https://evil.test")), "issuer")


def test_token_without_kid_is_refused(verifier):
    refused(verifier, sign(claims(), kid=None), "no kid")


def test_token_with_unknown_kid_is_refused(verifier):
    refused(verifier, sign(claims(), kid="ed-9"), "unknown kid")


def test_tampered_payload_is_refused(verifier):
    header, _, signature = sign(claims()).split(".")
    forged = b64(json.dumps(claims(perms=["manage_users"])).encode())
    refused(verifier, f"{header}.{forged}.{signature}", "Signature")


@pytest.mark.parametrize("claim", ["kind", "exp", "iat", "sub", "aud", "iss"])
def test_token_missing_a_required_claim_is_refused(verifier, claim):
    refused(verifier, sign(claims(**{claim: None})), claim)


def test_token_of_an_unknown_kind_is_refused(verifier):
    refused(verifier, sign(claims(kind="superuser")), "unknown kind")


def test_permissions_given_as_a_string_are_refused(verifier):
    refused(verifier, sign(claims(perms="manage_users")), "perms")


def test_garbage_is_refused(verifier):
    refused(verifier, "not-a-jwt", "malformed")


def test_algorithm_outside_the_allowlist_is_refused():
    ec_key = ec.generate_private_key(ec.SECP256R1())
    keys = {"keys": [jwk(ec_key, "ec-1")]}
    strict = TokenVerifier(issuer=ISSUER, audience=AUDIENCE, jwks=keys)
    refused(strict, sign(claims(), ec_key, "ES256", "ec-1"), "not allowed")
    ec_allowed = TokenVerifier(issuer=ISSUER, audience=AUDIENCE, jwks=keys,
                               algorithms=("ES256",))
    assert ec_allowed.verify(sign(claims(), ec_key, "ES256", "ec-1")).kind == "staff"


def test_symmetric_algorithms_cannot_be_configured():
    with pytest.raises(ValueError, match="HS256"):
        TokenVerifier(issuer=ISSUER, audience=AUDIENCE, jwks=JWKS, algorithms=("HS256",))


def test_symmetric_keys_in_the_key_set_are_ignored():
    secret = b"shared-secret-of-32-bytes-or-more!!"
    keys = {"keys": [{"kty": "oct", "kid": "hs-1", "k": b64(secret)}]}
    verifier = TokenVerifier(issuer=ISSUER, audience=AUDIENCE, jwks=keys,
                             algorithms=("EdDSA",))
    refused(verifier, sign(claims(), ED_KEY, kid="hs-1"), "unknown kid")


def test_key_pinned_to_another_alg_in_the_jwks_is_refused():
    keys = {"keys": [{**jwk(RSA_KEY, "rsa-1"), "alg": "RS512"}]}
    verifier = TokenVerifier(issuer=ISSUER, audience=AUDIENCE, jwks=keys)
    refused(verifier, sign(claims(), RSA_KEY, "RS256", "rsa-1"), "does not match")


class JwksServer:
    """A real HTTP server publishing a key set that a test can rotate."""

    def __init__(self) -> None:
        self.key_set = {"keys": [jwk(ED_KEY, "ed-1")]}
        self.failing = False
        self.fetches = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's naming
                outer.fetches += 1
                body = json.dumps(outer.key_set).encode()
                self.send_response(500 if outer.failing else 200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/.well-known/jwks.json"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def jwks_server():
    server = JwksServer()
    yield server
    server.stop()


def test_keys_are_fetched_from_the_jwks_url_and_cached(jwks_server):
    verifier = TokenVerifier(issuer=ISSUER, audience=AUDIENCE, jwks_url=jwks_server.url)
    for _ in range(3):
        assert verifier.verify(sign(claims())).user_id == "u-1"
    assert jwks_server.fetches == 1


def test_rotated_key_is_picked_up_by_refetching_on_an_unknown_kid(jwks_server):
    verifier = TokenVerifier(issuer=ISSUER, audience=AUDIENCE, jwks_url=jwks_server.url,
                             refetch_interval_seconds=0)
    verifier.verify(sign(claims()))
    new_key = ed25519.Ed25519PrivateKey.generate()
    jwks_server.key_set = {"keys": [jwk(ED_KEY, "ed-1"), jwk(new_key, "ed-2")]}
    assert verifier.verify(sign(claims(sub="u-2"), new_key, kid="ed-2")).user_id == "u-2"
    assert jwks_server.fetches == 2


def test_unknown_kids_do_not_refetch_more_often_than_the_interval(jwks_server):
    verifier = TokenVerifier(issuer=ISSUER, audience=AUDIENCE, jwks_url=jwks_server.url,
                             refetch_interval_seconds=60)
    verifier.verify(sign(claims()))
    for n in range(5):
        refused(verifier, sign(claims(), kid=f"forged-{n}"), "unknown kid")
    assert jwks_server.fetches == 1


def test_expired_cache_is_refetched(jwks_server):
    verifier = TokenVerifier(issuer=ISSUER, audience=AUDIENCE, jwks_url=jwks_server.url,
                             cache_seconds=0, refetch_interval_seconds=0)
    verifier.verify(sign(claims()))
    verifier.verify(sign(claims()))
    assert jwks_server.fetches == 2


def test_last_good_keys_are_kept_when_the_jwks_url_stops_answering(jwks_server):
    verifier = TokenVerifier(issuer=ISSUER, audience=AUDIENCE, jwks_url=jwks_server.url,
                             cache_seconds=0, refetch_interval_seconds=0)
    verifier.verify(sign(claims()))
    jwks_server.failing = True
    assert verifier.verify(sign(claims())).user_id == "u-1"
    assert jwks_server.fetches == 2
    jwks_server.stop()
    assert verifier.verify(sign(claims())).user_id == "u-1"


def test_failed_first_fetch_is_not_retried_on_every_request(jwks_server):
    jwks_server.failing = True
    verifier = TokenVerifier(issuer=ISSUER, audience=AUDIENCE, jwks_url=jwks_server.url,
                             refetch_interval_seconds=60)
    for _ in range(3):
        with pytest.raises(KeySetUnavailable):
            verifier.verify(sign(claims()))
    assert jwks_server.fetches == 1


def test_unreachable_jwks_url_on_first_use_means_keys_unavailable(jwks_server):
    jwks_server.stop()
    verifier = TokenVerifier(issuer=ISSUER, audience=AUDIENCE, jwks_url=jwks_server.url,
                             fetch_timeout_seconds=2)
    with pytest.raises(KeySetUnavailable):
        verifier.verify(sign(claims()))


@pytest.fixture
def signature_checks(monkeypatch) -> list[str]:
    """The tokens whose signature the verifier checked (jwt.decode), in order."""
    checked: list[str] = []
    decode = jwt.decode

    def counting(token, *args, **kwargs):
        checked.append(token)
        return decode(token, *args, **kwargs)

    monkeypatch.setattr("servicekit.auth.jwt.decode", counting)
    return checked


def test_a_verified_token_is_not_checked_again_while_it_is_valid(verifier, signature_checks):
    token = sign(claims())
    for _ in range(3):
        assert verifier.verify(token).user_id == "u-1"
    assert signature_checks == [token]


def test_a_remembered_token_is_refused_once_it_expires(verifier):
    token = sign(claims(exp=int(time.time()) + 1))
    assert verifier.verify(token).user_id == "u-1"
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            verifier.verify(token)
        except InvalidToken as err:
            assert "expired" in str(err)
            return
        time.sleep(0.05)
    pytest.fail("an expired token was still accepted")


def test_a_remembered_token_is_refused_once_its_key_leaves_the_key_set(jwks_server):
    verifier = TokenVerifier(issuer=ISSUER, audience=AUDIENCE, jwks_url=jwks_server.url,
                             cache_seconds=0, refetch_interval_seconds=0)
    token = sign(claims())
    verifier.verify(token)
    jwks_server.key_set = {"keys": [jwk(ed25519.Ed25519PrivateKey.generate(), "ed-2")]}
    refused(verifier, token, "unknown kid")


def test_a_remembered_token_is_checked_again_against_a_replaced_key(jwks_server):
    verifier = TokenVerifier(issuer=ISSUER, audience=AUDIENCE, jwks_url=jwks_server.url,
                             cache_seconds=0, refetch_interval_seconds=0)
    token = sign(claims())
    verifier.verify(token)
    jwks_server.key_set = {"keys": [jwk(ed25519.Ed25519PrivateKey.generate(), "ed-1")]}
    refused(verifier, token, "Signature verification failed")


def test_the_verifier_remembers_a_bounded_number_of_tokens(signature_checks):
    verifier = TokenVerifier(issuer=ISSUER, audience=AUDIENCE, jwks=JWKS, verified_tokens=2)
    first, second, third = (sign(claims(sub=f"u-{n}")) for n in range(3))
    for token in (first, second, third, third, first):
        verifier.verify(token)
    assert signature_checks == [first, second, third, first]  # the first was dropped


def test_a_refused_token_is_not_remembered(verifier, signature_checks):
    forged = sign(claims(), key=ed25519.Ed25519PrivateKey.generate())
    for _ in range(2):
        refused(verifier, forged, "Signature verification failed")
    assert signature_checks == [forged, forged]

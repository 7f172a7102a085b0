import time

import jwt
import marshmallow as ma
import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519
from flask.views import MethodView
from flask_smorest import Blueprint
from jwt.algorithms import OKPAlgorithm

from servicekit.auth import (
    TokenVerifier,
    authenticated,
    current_principal,
    require_permission,
)
from servicekit.web import create_service_app

ISSUER, AUDIENCE = "https://identity.clinic.test", "clinic-platform"
KEY = ed25519.Ed25519PrivateKey.generate()
JWKS = {"keys": [{**OKPAlgorithm.to_jwk(KEY.public_key(), as_dict=True), "kid": "ed-1"}]}
SIGN_IN_AGAIN = "Sign in again: your access token is missing, expired or invalid."


def token(kind: str = "staff", perms: tuple[str, ...] = (), pv: int = 1, **extra) -> str:
    now = int(time.time())
    claims = {
        "sub": "u-7", "org": "o-1", "kind": kind, "email": "bo@clinic.test",
        "perms": list(perms), "clinics": [], "pv": pv, "iat": now, "exp": now + 60,
        "iss": ISSUER, "aud": AUDIENCE, **extra,
    }
    return jwt.encode(claims, KEY, algorithm="EdDSA", headers={"kid": "ed-1"})


def bearer(value: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {value}"}


class NoteIn(ma.Schema):
    subjective = ma.fields.Str(required=True)


def notes_blueprint() -> Blueprint:
    blp = Blueprint("notes", __name__, url_prefix="/notes")

    @blp.route("/")
    class Notes(MethodView):
        @require_permission("view_patients", kinds=("staff",))
        @blp.response(200)
        def get(self):
            """List notes."""
            return {"user_id": current_principal().user_id}

        @blp.arguments(NoteIn)
        @blp.response(201)
        @require_permission("start_notes", "view_patients")
        def post(self, note):
            """Start a note."""
            return {"subjective": note["subjective"], "by": current_principal().user_id}

    @blp.route("/mine")
    class MyNotes(MethodView):
        @authenticated
        @blp.response(200)
        def get(self):
            """Notes of the caller."""
            return {"kind": current_principal().kind}

    @blp.route("/recipient-only", methods=["GET"])
    @authenticated(kinds=("recipient",))
    def recipient_only():
        return {"ok": True}

    return blp


class FakeTokenState:
    """What identity announced: current permission versions and ended sessions."""

    def __init__(self) -> None:
        self.versions: dict[str, int] = {}
        self.ended: set[str] = set()

    def refusal(self, principal):
        current = self.versions.get(principal.user_id)
        if current is not None and current > principal.permission_version:
            return "token_outdated"
        return "session_ended" if principal.session_id in self.ended else None


@pytest.fixture
def state() -> FakeTokenState:
    return FakeTokenState()


@pytest.fixture
def versions(state) -> dict[str, int]:
    return state.versions


@pytest.fixture
def client(state):
    app = create_service_app(
        name="notes", blueprints=[notes_blueprint()],
        verifier=TokenVerifier(issuer=ISSUER, audience=AUDIENCE, jwks=JWKS),
        token_state=state,
    )
    return app.test_client()


def test_missing_token_answers_401_sign_in_again(client):
    response = client.get("/notes/")
    assert response.status_code == 401
    assert response.get_json()["error"] == {
        "code": "unauthorized", "message": SIGN_IN_AGAIN, "details": {},
    }


@pytest.mark.parametrize("header", ["Bearer not-a-jwt", "Basic dTpw", "Bearer ", token()])
def test_invalid_or_malformed_authorization_answers_401(client, header):
    response = client.get("/notes/mine", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"


def test_token_signed_by_another_key_answers_401(client):
    other = ed25519.Ed25519PrivateKey.generate()
    forged = jwt.encode(jwt.decode(token(), options={"verify_signature": False}), other,
                        algorithm="EdDSA", headers={"kid": "ed-1"})
    assert client.get("/notes/mine", headers=bearer(forged)).status_code == 401


def test_any_valid_token_passes_authenticated(client):
    response = client.get("/notes/mine", headers=bearer(token(kind="automation")))
    assert (response.status_code, response.get_json()) == (200, {"kind": "automation"})


def test_permission_holder_passes(client):
    response = client.get("/notes/", headers=bearer(token(perms=("view_patients",))))
    assert (response.status_code, response.get_json()) == (200, {"user_id": "u-7"})


def test_missing_permission_answers_403_naming_it(client):
    response = client.post("/notes/", json={"subjective": "s"},
                           headers=bearer(token(perms=("view_patients",))))
    assert response.status_code == 403
    error = response.get_json()["error"]
    assert error["code"] == "permission_required"
    assert error["details"] == {"missing": ["start_notes"]}
    assert "start_notes" in error["message"]
    assert "ask a User Manager in your practice to grant it" in error["message"]


def test_decorator_under_smorest_arguments_sees_the_validated_body(client):
    response = client.post("/notes/", json={"subjective": "knee pain"},
                           headers=bearer(token(perms=("view_patients", "start_notes"))))
    assert response.status_code == 201
    assert response.get_json() == {"subjective": "knee pain", "by": "u-7"}


def test_caller_of_a_refused_kind_answers_403(client):
    response = client.get("/notes/", headers=bearer(token(kind="vendor",
                                                          perms=("view_patients",))))
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "kind_not_allowed"
    assert client.get("/notes/recipient-only", headers=bearer(token())).status_code == 403
    assert client.get("/notes/recipient-only",
                      headers=bearer(token(kind="recipient"))).status_code == 200


def test_token_older_than_the_current_permission_version_answers_401_outdated(
    client, versions
):
    versions["u-7"] = 2
    response = client.get("/notes/", headers=bearer(token(perms=("view_patients",), pv=1)))
    assert response.status_code == 401
    assert response.get_json()["error"] == {
        "code": "token_outdated",
        "message": "Your permissions or password changed; refresh your token or sign in "
                   "again.",
        "details": {},
    }


def test_token_of_an_ended_session_answers_401_session_ended(client, state):
    state.ended.add("s-1")
    response = client.get("/notes/", headers=bearer(token(perms=("view_patients",), sid="s-1")))
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "session_ended"
    other = client.get("/notes/", headers=bearer(token(perms=("view_patients",), sid="s-2")))
    assert other.status_code == 200


def test_an_app_that_verifies_tokens_cannot_be_built_without_a_token_state():
    with pytest.raises(ValueError, match="token_state"):
        create_service_app(name="notes", blueprints=[notes_blueprint()],
                           verifier=TokenVerifier(issuer=ISSUER, audience=AUDIENCE, jwks=JWKS))


@pytest.mark.parametrize("known", [None, 2, 1])
def test_token_at_or_above_the_known_permission_version_passes(client, versions, known):
    if known is not None:
        versions["u-7"] = known
    response = client.get("/notes/", headers=bearer(token(perms=("view_patients",), pv=2)))
    assert response.status_code == 200


def test_app_without_a_verifier_refuses_every_token():
    app = create_service_app(name="notes", blueprints=[notes_blueprint()])
    response = app.test_client().get("/notes/mine", headers=bearer(token()))
    assert response.status_code == 401


def test_unreachable_key_set_answers_503():
    verifier = TokenVerifier(issuer=ISSUER, audience=AUDIENCE,
                             jwks_url="http://127.0.0.1:9/jwks.json", fetch_timeout_seconds=2)
    app = create_service_app(name="notes", blueprints=[notes_blueprint()], verifier=verifier,
                             token_state=FakeTokenState())
    response = app.test_client().get("/notes/mine", headers=bearer(token()))
    assert response.status_code == 503
    assert "try again shortly" in response.get_json()["error"]["message"]


def test_guarded_operations_are_documented_with_bearer_security(client):
    spec = client.get("/openapi.json").get_json()
    assert spec["paths"]["/notes/"]["get"]["security"] == [{"bearerAuth": []}]
    assert spec["paths"]["/notes/"]["post"]["security"] == [{"bearerAuth": []}]
    assert spec["paths"]["/notes/mine"]["get"]["security"] == [{"bearerAuth": []}]
    assert "requestBody" in spec["paths"]["/notes/"]["post"]


def test_a_token_accepted_before_is_refused_as_soon_as_its_session_ends(client, state):
    # The verifier remembers the token's verified signature; revocation is still asked.
    sent = token(perms=("view_patients",), sid="s-9")
    assert client.get("/notes/", headers=bearer(sent)).status_code == 200
    state.ended.add("s-9")
    assert client.get("/notes/", headers=bearer(sent)).get_json()["error"]["code"] == (
        "session_ended")


def test_a_token_accepted_before_is_refused_as_soon_as_its_permissions_change(client, versions):
    sent = token(perms=("view_patients",), pv=1)
    assert client.get("/notes/", headers=bearer(sent)).status_code == 200
    versions["u-7"] = 2
    assert client.get("/notes/", headers=bearer(sent)).get_json()["error"]["code"] == (
        "token_outdated")

"""Every service that checks identity's tokens builds its verifier in one place
(servicekit.service.build_app, from JWKS_URL); none builds one of its own, and none answers
a request with a token while JWKS_URL is unset."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from security_tokens import bearer, mint

REPO = Path(__file__).resolve().parents[2]
CHECKERS = ("notes", "docportal", "audit")  # identity checks its own keys


def build(service: str, tmp_path: Path, **settings):
    from importlib import import_module

    spec = import_module(f"{service}.spec").SPEC
    config = spec.load_config(local_dir=tmp_path, bus_url="memory://",
                              database_url=f"sqlite:///{tmp_path / 'svc.db'}", **settings)
    return import_module(f"{service}.app").create_app(config)


@pytest.mark.parametrize("service", CHECKERS)
def test_the_verifier_comes_from_jwks_url_in_build_app(service, tmp_path):
    url = "http://identity.invalid/.well-known/jwks.json"
    app = build(service, tmp_path, jwks_url=url)
    verifier = app.extensions["servicekit.verifier"]
    assert verifier is not None and verifier._jwks_url == url


@pytest.mark.parametrize("service", CHECKERS)
def test_without_jwks_url_no_token_is_accepted(service, tmp_path):
    app = build(service, tmp_path, jwks_url=None)
    assert app.extensions["servicekit.verifier"] is None
    token = mint(str(uuid.uuid4()), str(uuid.uuid4()))
    answer = app.test_client().get("/openapi.json", headers=bearer(token))
    assert answer.status_code == 200  # public
    probe = {"notes": "/patients", "docportal": "/shares", "audit": "/alerts"}[service]
    assert app.test_client().get(probe, headers=bearer(token)).status_code == 401


def test_no_service_builds_a_token_verifier_of_its_own():
    built = [str(path.relative_to(REPO)) for service in CHECKERS
             for path in (REPO / "services" / service / service).rglob("*.py")
             if "TokenVerifier(" in path.read_text()]
    assert built == []

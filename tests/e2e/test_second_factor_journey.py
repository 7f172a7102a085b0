"""The second factor through the gateway, with pyotp as each person's authenticator app.

An owner (a User Manager) cannot get in on a password alone; a practice that requires a
second factor of everyone sends its therapist through enrollment; a lost phone reset by the
owner ends the therapist's session in every service within a second.
"""

from __future__ import annotations

import time

import pyotp
import pytest
import requests
from e2e_stack import PASSWORD, Api, add_staff, new_practice

from servicekit.totp_wallet import WALLET
from servicekit_testing.fixtures import wait_for

pytestmark = pytest.mark.e2e


def login(body: dict) -> requests.Response:
    return Api().post("identity", "/login", json=body)


def code_of(error: requests.Response) -> str:
    return error.json()["error"]["code"]


def test_second_factor_journey_through_the_gateway(platform):
    owner = new_practice(platform, "Second Factor Physio", "owner@second-factor.example")
    secret = WALLET.secret_of(owner.owner_email)
    assert secret, "the owner enrolled an authenticator app at first sign-in"

    bare = login({"email": owner.owner_email, "password": PASSWORD})
    assert (bare.status_code, code_of(bare)) == (401, "second_factor_required")
    wrong = login({"email": owner.owner_email, "password": PASSWORD, "otp": "000000"})
    assert (wrong.status_code, code_of(wrong)) == (401, "second_factor_invalid")
    right = login({"email": owner.owner_email, "password": PASSWORD,
                   "otp": WALLET.code_for(owner.owner_email)})
    assert right.status_code == 200, right.text

    therapist_id, _ = add_staff(owner, "pt@second-factor.example", "Pat Pt", "PT")
    api = Api(owner.token)
    api.call("PUT", "identity", "/practice/security", 200,
             json={"require_second_factor": True})
    asked = login({"email": "pt@second-factor.example", "password": PASSWORD})
    assert (asked.status_code, code_of(asked)) == (403, "second_factor_enrollment_required")
    token = asked.json()["error"]["details"]["enrollment_token"]
    started = Api().post("identity", "/second-factor/enrollment", 200,
                         json={"enrollment_token": token})
    app = pyotp.TOTP(started.json()["secret"])
    enrolled = Api().post("identity", "/second-factor/enrollment/confirm", 200,
                          json={"enrollment_token": token, "code": app.now()})
    assert len(enrolled.json()["recovery_codes"]) == 10
    therapist = Api(enrolled.json()["access_token"])
    therapist.get("notes", "/patients")

    # The phone is lost: the owner resets it and the session ends in every service.
    api.call("DELETE", "identity", f"/users/{therapist_id}/second-factor", 204)
    reset_at = time.monotonic()
    for service, path in (("identity", "/me"), ("notes", "/patients"),
                          ("docportal", "/shares"), ("audit", "/alerts")):
        wait_for(lambda s=service, p=path: therapist.get(s, p, expect=None).status_code == 401,
                 timeout=5, interval=0.05)
    print(f"\nsecond factor reset -> refused in all four services: "
          f"{time.monotonic() - reset_at:.2f} s")
    again = login({"email": "pt@second-factor.example", "password": PASSWORD})
    assert code_of(again) == "second_factor_enrollment_required"

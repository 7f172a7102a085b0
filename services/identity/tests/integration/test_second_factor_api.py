"""The TOTP second factor through the API, with pyotp as the person's authenticator app.

User Managers and vendor staff always sign in with one; a practice can ask it of everyone;
anyone may enrol. A code works once, recovery codes work once, ten wrong codes stop every
code for a while, and a User Manager resets a lost phone.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pyotp
import pytest
from sqlalchemy import select

from identity.adapters.second_factors import SecondFactors, SecretSealer
from identity.adapters.tables import second_factors

sys.path.insert(0, str(Path(__file__).parent))
from identity_accounts import (  # noqa: E402
    PASSWORD,
    VENDOR_DOMAIN,
    bearer,
    events,
    new_vendor_staff,
)

pytestmark = pytest.mark.integration

OWNER = "owner@harbourphysio.example"
THERAPIST = "therapist@harbourphysio.example"


def post_login(client, email: str, **extra):
    return client.post("/login", json={"email": email, "password": PASSWORD, **extra})


def error_of(response) -> str:
    return response.get_json()["error"]["code"]


def code(secret: str, steps_ahead: int = 0) -> str:
    return pyotp.TOTP(secret).at(time.time() + 30 * steps_ahead)


def enrol(client, email: str, **extra) -> tuple[str, dict]:
    """Sign in, meet the enrollment demand, scan the secret, confirm: (secret, answer)."""
    asked = post_login(client, email, **extra)
    assert asked.status_code == 403, asked.get_json()
    assert error_of(asked) == "second_factor_enrollment_required"
    token = asked.get_json()["error"]["details"]["enrollment_token"]
    started = client.post("/second-factor/enrollment", json={"enrollment_token": token})
    assert started.status_code == 200, started.get_json()
    secret = started.get_json()["secret"]
    assert pyotp.parse_uri(started.get_json()["otpauth_uri"]).secret == secret
    used = code(secret)
    confirmed = client.post("/second-factor/enrollment/confirm",
                            json={"enrollment_token": token, "code": used})
    assert confirmed.status_code == 200, confirmed.get_json()
    return secret, {**confirmed.get_json(), "code_used": used}


def test_a_user_manager_enrols_at_first_sign_in_and_then_needs_a_code_each_time(
        client, ident, practice):
    secret, enrolled = enrol(client, OWNER)
    assert len(enrolled["recovery_codes"]) == 10
    assert client.get("/me", headers=bearer(enrolled["access_token"])).status_code == 200
    assert [e["data"]["recovery_codes"] for e in
            events(ident, "identity.second_factor.enrolled")] == [10]

    bare = post_login(client, OWNER)
    assert (bare.status_code, error_of(bare)) == (401, "second_factor_required")
    replayed = post_login(client, OWNER, otp=enrolled["code_used"])
    assert (replayed.status_code, error_of(replayed)) == (401, "second_factor_invalid")
    assert post_login(client, OWNER, otp=code(secret, 1)).status_code == 200

    recovery = enrolled["recovery_codes"][0]
    assert post_login(client, OWNER, otp=recovery.upper()).status_code == 200
    again = post_login(client, OWNER, otp=recovery)
    assert (again.status_code, error_of(again)) == (401, "second_factor_invalid")
    assert events(ident, "identity.second_factor.recovery_code_used")[0]["data"] == {
        "recovery_codes_left": 9}
    signed_in = events(ident, "identity.session.signed_in")
    assert [e["data"]["second_factor"] for e in signed_in] == [True, True, True]


def test_an_enrollment_token_opens_one_enrollment_only(client, practice):
    asked = post_login(client, OWNER)
    token = asked.get_json()["error"]["details"]["enrollment_token"]
    secret = client.post("/second-factor/enrollment",
                         json={"enrollment_token": token}).get_json()["secret"]
    wrong = client.post("/second-factor/enrollment/confirm",
                        json={"enrollment_token": token, "code": "000000"})
    assert (wrong.status_code, error_of(wrong)) == (401, "second_factor_invalid")
    assert client.post("/second-factor/enrollment/confirm", json={
        "enrollment_token": token, "code": code(secret)}).status_code == 200
    spent = client.post("/second-factor/enrollment/confirm",
                        json={"enrollment_token": token, "code": code(secret, 1)})
    assert (spent.status_code, error_of(spent)) == (410, "link_unusable")
    assert client.post("/second-factor/enrollment",
                       json={"enrollment_token": token}).status_code == 410


def test_ten_wrong_codes_stop_even_the_right_one_for_a_while(client, practice):
    secret, _ = enrol(client, OWNER)
    for _ in range(10):
        assert post_login(client, OWNER, otp="123456").status_code == 401
    stopped = post_login(client, OWNER, otp=code(secret, 1))
    assert (stopped.status_code, error_of(stopped)) == (429, "second_factor_throttled")
    assert int(stopped.headers["Retry-After"]) > 0


def test_staff_of_a_practice_that_requires_it_enrol_and_their_old_sessions_end_at_refresh(
        client, ident, practice, login):
    before = login(THERAPIST)  # no factor needed yet: the password is enough
    owner = bearer(enrol(client, OWNER)[1]["access_token"])
    changed = client.put("/practice/security", json={"require_second_factor": True},
                         headers=owner)
    assert changed.status_code == 200, changed.get_json()
    assert events(ident, "identity.practice.security_changed")[0]["data"][
        "require_second_factor"] is True

    refused = client.post("/token/refresh", json={"refresh_token": before["refresh_token"]})
    assert refused.status_code == 401
    assert refused.get_json()["error"]["details"]["reason"] == "second_factor_required"
    asked = post_login(client, THERAPIST)
    assert asked.status_code == 403
    assert asked.get_json()["error"]["details"]["reason"] == "practice_policy"


def test_a_therapist_made_user_manager_must_enrol_before_going_on(client, practice, login):
    owner = bearer(enrol(client, OWNER)[1]["access_token"])
    therapist = login(THERAPIST)
    granted = client.patch(f"/users/{practice.users['therapist']}/permissions",
                           json={"grant": ["manage_users"]}, headers=owner)
    assert granted.status_code == 200, granted.get_json()
    refused = client.post("/token/refresh", json={"refresh_token": therapist["refresh_token"]})
    assert refused.get_json()["error"]["details"]["reason"] == "second_factor_required"
    assert post_login(client, THERAPIST).get_json()["error"]["details"]["reason"] == \
        "user_manager"


def test_vendor_staff_always_enrol(client, ident):
    new_vendor_staff(ident, "support")
    secret, enrolled = enrol(client, f"support@{VENDOR_DOMAIN}", account="vendor")
    status = client.get("/me/second-factor", headers=bearer(enrolled["access_token"]))
    assert status.get_json() == {"enrolled": True, "enrolled_at": status.get_json()[
        "enrolled_at"], "required": True, "required_because": "vendor_staff",
        "recovery_codes_left": 10}


def test_anyone_may_enrol_by_choice_and_turn_it_off_while_the_owner_may_not(
        client, practice, login):
    therapist = bearer(login(THERAPIST)["access_token"])
    started = client.post("/me/second-factor", headers=therapist)
    secret = started.get_json()["secret"]
    confirmed = client.post("/me/second-factor/confirm", json={"code": code(secret)},
                            headers=therapist)
    assert len(confirmed.get_json()["recovery_codes"]) == 10
    assert post_login(client, THERAPIST).status_code == 401  # now it asks for a code
    renewed = client.post("/me/second-factor/recovery-codes", json={"otp": code(secret, 1)},
                          headers=therapist)
    old = confirmed.get_json()["recovery_codes"][0]
    assert post_login(client, THERAPIST, otp=old).status_code == 401  # replaced
    new = renewed.get_json()["recovery_codes"][0]
    assert client.post("/me/second-factor/removal", json={"otp": new},
                       headers=therapist).status_code == 204
    assert post_login(client, THERAPIST).status_code == 200

    owner_secret, enrolled = enrol(client, OWNER)
    kept = client.post("/me/second-factor/removal", json={"otp": code(owner_secret, 1)},
                       headers=bearer(enrolled["access_token"]))
    assert (kept.status_code, error_of(kept)) == (403, "not_allowed")


def test_a_user_manager_resets_a_lost_phone_and_the_users_sessions_end(
        client, ident, practice, other_practice, login):
    therapist = login(THERAPIST)
    headers = bearer(therapist["access_token"])
    secret = client.post("/me/second-factor", headers=headers).get_json()["secret"]
    client.post("/me/second-factor/confirm", json={"code": code(secret)}, headers=headers)
    owner_secret, enrolled = enrol(client, OWNER)
    owner = bearer(enrolled["access_token"])

    assert client.delete(f"/users/{practice.owner_id}/second-factor",
                         headers=owner).status_code == 403  # never one's own
    stranger = bearer(enrol(client, "owner@bayside.example")[1]["access_token"])
    assert client.delete(f"/users/{practice.users['therapist']}/second-factor",
                         headers=stranger).status_code == 404
    assert client.delete(f"/users/{practice.users['therapist']}/second-factor",
                         headers=owner).status_code == 204
    ended = client.post("/token/refresh", json={"refresh_token": therapist["refresh_token"]})
    assert ended.status_code == 401
    assert post_login(client, THERAPIST).status_code == 200  # not required: password again
    assert events(ident, "identity.second_factor.reset")[0]["data"] == {"sessions_ended": 1}


def test_a_copy_of_the_database_holds_no_usable_secret(client, ident, practice):
    secret, _ = enrol(client, OWNER)
    with ident.uow() as uow:
        sealed = uow.session.execute(select(second_factors.c.secret_sealed)).scalar_one()
        assert secret not in sealed
        assert SecondFactors(uow.session, SecretSealer("another secret")).of(
            practice.owner_id) is None
        assert SecondFactors(uow.session, ident.sealer).of(practice.owner_id).secret == secret

"""A password reset (or a setup link replacing a password) in identity bumps the user's
permission version: notes refuses the tokens issued before it."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("event_type", ["identity.password.reset",
                                        "identity.user.password_set"])
def test_a_token_from_before_a_password_change_is_refused(
    as_, practice, chart, feed, identity_event, event_type
):
    person = "therapist"
    old = as_(practice, person)
    assert old.get(f"/patients/{chart['patient_id']}").status_code == 200
    version = practice.versions[person] + 1
    feed(identity_event(event_type, ("user", practice.users[person]), practice.id, {
        "sessions_revoked": 1, "replaced": True, "permission_version": version,
        "after": {"permissions": practice.permissions[person]}}))

    refused = old.get(f"/patients/{chart['patient_id']}")

    assert refused.status_code == 401
    assert refused.get_json()["error"]["code"] == "token_outdated"
    fresh = as_(practice, person, pv=version)
    assert fresh.get(f"/patients/{chart['patient_id']}").status_code == 200


def test_a_first_password_changes_nothing(as_, practice, chart, feed, identity_event):
    feed(identity_event("identity.user.password_set", ("user", practice.users["therapist"]),
                        practice.id, {"replaced": False}))
    assert as_(practice, "therapist").get(f"/patients/{chart['patient_id']}").status_code == 200

"""Revoking `finish_notes` in identity stops finalization in notes within a second.

Through the gateway on the local stack: identity's outbox, its relay, the bus, notes' consumer
and projection, and notes' check of the token's permission version. No token expires here.
"""

from __future__ import annotations

import time

import pytest
from e2e_stack import PASSWORD, Api, add_staff, new_chart, new_practice, sign_in, start_note

pytestmark = pytest.mark.e2e

WITHIN_SECONDS = 1.0


def test_revoking_finish_notes_stops_finalization_within_a_second(platform):
    owner = new_practice(platform, "Revocation PT", "owner@revocation.example")
    therapist_id, token = add_staff(owner, "pt@revocation.example", "Pat Therapist", "PT")
    chart = new_chart(owner)
    therapist = Api(token)
    finalized = start_note(therapist, chart)
    therapist.post("notes", f"/notes/{finalized['id']}/finalize", 200,
                   json={"version": finalized["version"]})
    draft = start_note(therapist, chart)

    Api(owner.token).patch("identity", f"/users/{therapist_id}/permissions", 200,
                           json={"revoke": ["finish_notes"]})
    revoked_at = time.monotonic()
    while therapist.get("notes", f"/notes/{draft['id']}", expect=None).status_code == 200:
        assert time.monotonic() - revoked_at < 5, "notes still accepts the old token after 5 s"
        time.sleep(0.02)
    took = time.monotonic() - revoked_at

    refused = therapist.post("notes", f"/notes/{draft['id']}/finalize",
                             json={"version": draft["version"]})
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "token_outdated"
    # Signed in again, the new token carries the new permissions: the gate refuses.
    fresh = Api(sign_in("pt@revocation.example", PASSWORD))
    refused_again = fresh.post("notes", f"/notes/{draft['id']}/finalize",
                               json={"version": draft["version"]})
    assert refused_again.status_code == 403, refused_again.text
    assert took < WITHIN_SECONDS, f"the revocation took {took:.2f} s to reach notes"

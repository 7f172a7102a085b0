"""A breach assessment counts affected individuals per state from where notes says they
live (notes.patient.residence_recorded), and names the states whose media must be told."""

from datetime import UTC, datetime, timedelta

import pytest
from audit_harness import access, new_id, practice_created, user_created

from servicekit.messaging.envelope import Actor, Subject, new_event

pytestmark = pytest.mark.integration
ALL_HIGH = [{"factor": f, "rating": "high", "rationale": "assessed"} for f in (
    "nature_and_extent", "unauthorized_person", "acquired_or_viewed", "mitigation")]


def residence(org_id: str, patient_id: str, state: str | None, at: datetime | None = None):
    """notes.patient.residence_recorded, shaped as notes emits it."""
    return new_event("notes.patient.residence_recorded", subject=Subject("patient", patient_id),
                     org_id=org_id, actor=Actor(id="u-front", kind="staff"),
                     patient_id=patient_id, data={"state": state},
                     occurred_at=at or datetime.now(UTC))


@pytest.fixture
def practice(feed):
    org, owner = new_id(), new_id()
    feed(practice_created(org, owner), user_created(org, owner, "owner@a.example", role="owner"))
    return org


def assess(client, headers, **body):
    answer = client.post("/breach-assessments", headers=headers,
                         json={"discovered_on": "2026-11-23", "factors": ALL_HIGH, **body})
    assert answer.status_code == 201, answer.json
    return answer.json


def test_the_states_notes_recorded_are_counted_and_the_newest_statement_wins(
        app_client, feed, practice):
    client, bearer = app_client
    suspect, ana, ben, cy = new_id(), new_id(), new_id(), new_id()
    now = datetime.now(UTC)
    feed(residence(practice, ana, "CA", now - timedelta(days=2)),
         residence(practice, ana, "OR", now - timedelta(days=1)),
         # An older statement arriving late changes nothing.
         residence(practice, ana, "WA", now - timedelta(days=3)),
         residence(practice, ben, "OR"),
         residence(practice, cy, "NV", now - timedelta(days=1)),
         residence(practice, cy, None))  # no longer known
    for patient in (ana, ben, cy):
        feed(access("notes.patient.viewed", practice, suspect, patient))
    made = assess(client, bearer(practice), suspect_profiles=[suspect])
    assert made["per_state"] == {"OR": 2}
    assert made["unknown_state_count"] == 1
    assert {p["patient_id"]: p["state"] for p in made["affected"]} == {
        ana: "OR", ben: "OR", cy: None}
    assert made["media_notice_required_states"] == []


def test_more_than_500_residents_of_one_state_require_that_states_media(
        app_client, feed, practice):
    client, bearer = app_client
    californians = [new_id() for _ in range(501)]
    oregonians = [new_id() for _ in range(20)]
    feed(*(residence(practice, p, "CA") for p in californians),
         *(residence(practice, p, "OR") for p in oregonians))
    made = assess(client, bearer(practice), patient_ids=californians + oregonians)
    assert made["per_state"] == {"CA": 501, "OR": 20}
    assert made["media_notice_required_states"] == ["CA"]
    assert [n["state"] for n in made["notices"] if n["to"] == "media"] == ["CA"]

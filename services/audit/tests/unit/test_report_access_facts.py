from datetime import UTC, datetime

import pytest

from audit.domain.access import AccessFact, Action, access_facts_from_event, action_for

WHEN = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
WHEN_TEXT = "2026-11-23T09:00:00+00:00"


def envelope(type_, patient_id="p-1", data=None, actor="u-1", occurred_at=WHEN_TEXT):
    return {
        "id": "11111111-1111-1111-1111-111111111111",
        "type": type_,
        "version": 1,
        "occurred_at": occurred_at,
        "producer": type_.split(".")[0],
        "org_id": "org-1",
        "actor": None
        if actor is None
        else {"id": actor, "email": "dana@sunrise-pt.com", "kind": "staff", "user_type": "PT"},
        "subject": {"type": "x", "id": "x-1"},
        "patient_id": patient_id,
        "correlation_id": "req-1",
        "data": data or {},
    }


@pytest.mark.parametrize(
    ("event_type", "action"),
    [
        ("notes.patient.viewed", Action.VIEWED),
        ("docportal.document.viewed", Action.VIEWED),
        ("notes.patient.searched", Action.SEARCHED),
        ("notes.note.created", Action.CREATED),
        ("notes.note.started", Action.CREATED),
        ("notes.note.addendum_added", Action.EDITED),
        ("notes.patient.updated", Action.EDITED),
        ("notes.note.edited", Action.EDITED),
        ("notes.note.finalized", Action.FINALIZED),
        ("docportal.share.sent", Action.SHARED),
        ("docportal.share.reshared", Action.SHARED),
        ("docportal.document.downloaded", Action.DOWNLOADED),
        ("identity.user.permissions_changed", None),
        ("docportal.share.revoked", None),
        ("audit.alert.raised", None),
    ],
)
def test_event_types_map_to_access_actions(event_type, action):
    assert action_for(event_type) is action


def test_viewed_event_is_one_record_for_its_patient():
    facts = access_facts_from_event(envelope("notes.patient.viewed"))
    assert facts == [AccessFact("u-1", "p-1", Action.VIEWED, "notes.patient.viewed", WHEN, 1)]


def test_search_is_one_record_per_returned_patient():
    event = envelope(
        "notes.patient.searched",
        patient_id=None,
        data={"patient_ids": ["p-1", "p-2", "p-3", "p-2"], "query_length": 4},
    )
    facts = access_facts_from_event(event)
    assert [(f.patient_id, f.action, f.record_count) for f in facts] == [
        ("p-1", Action.SEARCHED, 1),
        ("p-2", Action.SEARCHED, 1),
        ("p-3", Action.SEARCHED, 1),
    ]


def test_search_without_results_touches_no_patient():
    assert access_facts_from_event(envelope("notes.patient.searched", patient_id=None)) == []


def test_record_count_in_data_counts_several_records():
    event = envelope("docportal.share.sent", data={"record_count": 3})
    assert access_facts_from_event(event)[0].record_count == 3


@pytest.mark.parametrize("bad", [0, -2, True, "3", None])
def test_record_count_that_is_not_a_positive_integer_counts_as_one(bad):
    event = envelope("docportal.document.downloaded", data={"record_count": bad})
    assert access_facts_from_event(event)[0].record_count == 1


def test_event_without_patient_is_not_an_access():
    assert access_facts_from_event(envelope("identity.user.created", patient_id=None)) == []


def test_event_without_actor_is_not_a_user_access():
    assert access_facts_from_event(envelope("notes.patient.viewed", actor=None)) == []


def test_occurred_at_is_read_as_utc_from_any_offset():
    event = envelope("notes.patient.viewed", occurred_at="2026-11-23T04:00:00-05:00")
    assert access_facts_from_event(event)[0].occurred_at == WHEN
    zulu = envelope("notes.patient.viewed", occurred_at="2026-11-23T09:00:00Z")
    assert access_facts_from_event(zulu)[0].occurred_at == WHEN


def test_occurred_at_without_offset_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        access_facts_from_event(envelope("notes.patient.viewed", occurred_at="2026-11-23T09:00"))

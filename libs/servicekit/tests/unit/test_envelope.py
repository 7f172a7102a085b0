import json
from dataclasses import fields
from datetime import UTC, datetime

import pytest

from servicekit.context import request_id_var
from servicekit.messaging.envelope import (
    Actor,
    Event,
    InvalidEnvelope,
    Subject,
    decode_event,
    encode_event,
    new_event,
    to_dict,
)


def make(**kwargs):
    defaults = dict(subject=Subject("user", "u1"), org_id="org-1", data={"k": 1})
    return new_event("identity.user.created", **{**defaults, **kwargs})


def test_an_event_survives_encoding_unchanged():
    event = make(actor=Actor(id="a1", email="a@x.example", kind="staff", user_type="PT"),
                 patient_id="p1")
    assert decode_event(encode_event(event)) == event


def test_producer_is_the_first_part_of_the_type():
    assert make().producer == "identity"


def test_correlation_id_comes_from_the_request_being_served():
    token = request_id_var.set("req-123")
    try:
        assert make().correlation_id == "req-123"
    finally:
        request_id_var.reset(token)


@pytest.mark.parametrize("bad_type", ["identity.user", "Identity.User.Created", "a.b.c.d", ""])
def test_event_types_must_be_producer_entity_verb(bad_type):
    with pytest.raises(InvalidEnvelope):
        new_event(bad_type, subject=Subject("user", "u1"), org_id="o")


def test_every_envelope_field_is_required():
    body = json.loads(encode_event(make()))
    for field in body:
        incomplete = {k: v for k, v in body.items() if k != field}
        with pytest.raises(InvalidEnvelope):
            decode_event(json.dumps(incomplete))


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b"\xff\xfe", b'"text"'])
def test_malformed_bodies_are_refused(body):
    with pytest.raises(InvalidEnvelope):
        decode_event(body)


def test_occurred_at_must_carry_a_time_zone():
    body = json.loads(encode_event(make()))
    body["occurred_at"] = datetime(2026, 1, 1).isoformat()
    with pytest.raises(InvalidEnvelope):
        decode_event(json.dumps(body))


def test_a_producer_cannot_emit_another_services_type():
    body = json.loads(encode_event(make()))
    body["producer"] = "notes"
    with pytest.raises(InvalidEnvelope):
        decode_event(json.dumps(body))


def test_new_event_times_are_utc():
    assert make().occurred_at.tzinfo == UTC


@pytest.mark.parametrize("actor", [None, Actor(id="u-1", email="a@b.example", user_type="PT")])
def test_encoding_writes_exactly_the_envelope_fields_sorted_and_leaves_data_alone(actor):
    data = {"fields": ["email", "role"], "nested": {"b": 1, "a": [1, {"z": None}]}}
    event = make(actor=actor, data=data)
    encoded = encode_event(event)
    assert encoded == json.dumps(to_dict(event), separators=(",", ":"), sort_keys=True)
    assert set(json.loads(encoded)) == {f.name for f in fields(Event)}
    assert event.data == {"fields": ["email", "role"], "nested": {"b": 1, "a": [1, {"z": None}]}}

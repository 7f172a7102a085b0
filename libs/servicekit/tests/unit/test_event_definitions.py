"""Event definitions: data checked where events are made, a generated AsyncAPI document,
and consumers checking incoming data against the committed documents."""

import json

import pytest

from servicekit.messaging.asyncapi import document, hand_built_events
from servicekit.messaging.contracts import ContractBook, OffContract
from servicekit.messaging.definitions import (
    EventCatalog,
    EventDefinition,
    InvalidEventData,
    record,
    text,
    texts,
    whole,
)
from servicekit.messaging.envelope import Subject, new_event

NOTE_FINALIZED = EventDefinition(
    "notes.note.finalized", "A note was finalized.", subject="note",
    data={"case_id": text(), "cpt_codes": texts(), "minutes": whole(optional=True),
          "signer": record({"id": text(), "role": text(null=True)}, optional=True)})
CATALOG = EventCatalog("notes", [NOTE_FINALIZED])


def _finalized(**data):
    return NOTE_FINALIZED.event(subject=Subject("note", "n1"), org_id="o1", data=data)


def test_an_event_made_through_its_definition_carries_its_type_and_version():
    event = _finalized(case_id="c1", cpt_codes=["97110"])
    assert (event.type, event.version, event.producer) == ("notes.note.finalized", 1, "notes")


@pytest.mark.parametrize("data", [
    {"cpt_codes": []},  # a required field left out
    {"case_id": "c1", "cpt_codes": [], "case": "c1"},  # a field the definition lacks
    {"case_id": "c1", "cpt_codes": [], "minutes": "30"},  # the wrong kind
    {"case_id": "c1", "cpt_codes": [], "signer": {"id": "u1", "role": None, "x": 1}},
])
def test_data_the_definition_does_not_describe_is_refused_where_it_is_made(data):
    with pytest.raises(InvalidEventData):
        _finalized(**data)


def test_the_subject_must_be_the_one_the_definition_names():
    with pytest.raises(InvalidEventData):
        NOTE_FINALIZED.event(subject=Subject("case", "c1"), org_id="o1",
                             data={"case_id": "c1", "cpt_codes": []})


def test_a_catalog_refuses_a_type_twice_or_another_producers_type():
    with pytest.raises(ValueError):
        EventCatalog("notes", [NOTE_FINALIZED, NOTE_FINALIZED])
    with pytest.raises(ValueError):
        EventCatalog("docportal", [NOTE_FINALIZED])


def test_the_asyncapi_document_has_a_channel_per_type_on_the_exchange():
    doc = document(CATALOG, "notes events")
    assert doc["asyncapi"] == "3.0.0"
    channel = doc["channels"]["notes_note_finalized"]
    assert channel["address"] == "notes.note.finalized"
    assert channel["bindings"]["amqp"]["exchange"]["name"] == "clinic.events"
    data = doc["components"]["messages"]["notes_note_finalized"]["payload"]["properties"]["data"]
    assert data["required"] == ["case_id", "cpt_codes"]
    assert data["properties"]["minutes"] == {"type": "integer"}
    assert data["properties"]["signer"]["properties"]["role"] == {"type": ["string", "null"]}
    assert data["additionalProperties"] is False


def _book() -> ContractBook:
    return ContractBook([json.loads(json.dumps(document(CATALOG, "notes events")))])


def _incoming(data, type="notes.note.finalized", version=1):
    return new_event(type, subject=Subject("note", "n1"), org_id="o1", data=data,
                     version=version)


def test_a_consumer_refuses_data_its_producers_document_does_not_allow():
    book = _book()
    with pytest.raises(OffContract, match="case_id: missing"):
        book.check(_incoming({"cpt_codes": []}))
    with pytest.raises(OffContract, match="minutes: expected integer"):
        book.check(_incoming({"case_id": "c", "cpt_codes": [], "minutes": True}))
    with pytest.raises(OffContract, match=r"cpt_codes\[0\]"):
        book.check(_incoming({"case_id": "c", "cpt_codes": [1]}))


def test_a_consumer_lets_through_new_fields_and_types_no_document_describes():
    book = _book()
    book.check(_incoming({"case_id": "c", "cpt_codes": [], "added_later": 1}))
    book.check(_incoming({"anything": 1}, type="notes.note.archived"))
    book.check(_incoming({"anything": 1}, version=2))


def test_the_scan_finds_events_built_by_hand(tmp_path):
    package = tmp_path / "svc"
    (package / "events").mkdir(parents=True)
    (package / "events" / "__init__.py").write_text("X = EventDefinition('svc.a.b', '')\n")
    (package / "use_case.py").write_text("e = new_event('svc.a.b', subject=s, org_id=None)\n")
    (package / "other.py").write_text("Y = defs.EventDefinition('svc.a.c', '')\n")
    assert hand_built_events(package) == ["svc/other.py:1 EventDefinition",
                                          "svc/use_case.py:1 new_event"]

"""The access report counts exactly, end to end: notes' use cases -> outbox -> relay ->
RabbitMQ -> audit's consumer -> the access report.

A therapist touches 3 patients and 7 records in known ways (2 views of one patient; a search
that shows a second one, whose phone they then correct; a note started, revised and
finalized for the third). A colleague registers the patients and opens the case, so their
events are in the same record and must not count for the therapist.
"""

import threading
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from audit.adapters.tables import audit_events
from audit.service_layer.access_reports import user_access_report
from audit.service_layer.queries import Scope
from audit.spec import SPEC as AUDIT
from notes.domain.catalog import load_user_types
from notes.domain.note_parts import SoapText
from notes.service_layer.callers import Caller
from notes.service_layer.identity_events import handle_identity_event
from notes.service_layer.note_lifecycle import begin_note, finalize_note, revise_note
from notes.service_layer.patients import (
    correct_patient,
    register_patient,
    search_patients,
    view_patient,
)
from notes.service_layer.payers import add_insurance, open_case
from notes.spec import SPEC as NOTES
from servicekit.messaging.envelope import Actor, Subject, new_event
from servicekit.migrations import upgrade
from servicekit_testing.fixtures import wait_for

pytestmark = pytest.mark.integration

THERAPIST_PERMISSIONS = ["view_patients", "edit_patients", "start_notes", "forward_notes",
                         "finish_notes", "delete_transactions"]


@pytest.fixture
def platform(make_database, private_amqp_url, tmp_path):
    """Notes and audit on their own PostgreSQL databases, sharing one private RabbitMQ vhost."""
    runtimes = []
    for spec in (NOTES, AUDIT):
        url = make_database()
        upgrade(spec.migrations_dir, url)
        runtimes.append(spec.runtime(spec.load_config(
            database_url=url, bus_url=private_amqp_url, local_dir=tmp_path)))
    yield runtimes
    for runtime in runtimes:
        runtime.close()


def staff(org_id: str, clinic_id: str, name: str) -> Caller:
    return Caller(str(uuid.uuid4()), org_id, "staff", f"{name}@sunrise.example", "PT",
                  frozenset(THERAPIST_PERMISSIONS))


def introduce(notes, org_id: str, clinic_id: str, *people: Caller) -> None:
    """What notes' identity consumer learns from identity: the practice, its clinic, its staff."""
    system = Actor(id="identity-cli", kind="system")
    events = [new_event("identity.practice.created", subject=Subject("practice", org_id),
                        org_id=org_id, actor=system, data={
                            "name": "Sunrise PT", "clinics": [{
                                "id": clinic_id, "name": "Main",
                                "assistants_may_finalize": True}]})]
    events += [new_event("identity.user.created", subject=Subject("user", p.user_id),
                         org_id=org_id, actor=system, data={
                             "email": p.email, "full_name": p.email.split("@")[0].title(),
                             "user_type": "PT", "kind": "staff", "status": "active",
                             "permissions": THERAPIST_PERMISSIONS, "clinics": [clinic_id],
                             "permission_version": 1}) for p in people]
    with notes.uow() as uow:
        for event in events:
            handle_identity_event(uow, event)
        uow.commit()


def stored_count(audit) -> int:
    with audit.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(audit_events)).scalar_one()


def test_three_patients_and_seven_records_through_the_real_pipeline(platform):
    notes, audit = platform
    org_id, clinic_id = str(uuid.uuid4()), str(uuid.uuid4())
    therapist, colleague = staff(org_id, clinic_id, "tara"), staff(org_id, clinic_id, "cole")
    introduce(notes, org_id, clinic_id, therapist, colleague)
    now = datetime.now(UTC)
    tag = uuid.uuid4().hex[:8]

    def patient(last_name: str) -> str:
        return register_patient(notes.uow(), colleague, {
            "clinic_id": clinic_id, "first_name": "Pat", "last_name": f"{last_name}{tag}",
            "date_of_birth": date(1980, 1, 1)}, now)["id"]

    p1, p2, p3 = patient("Alder"), patient("Birch"), patient("Cedar")
    insurance = add_insurance(notes.uow(), colleague, {
        "name": "Acme Health", "allow_assistants_to_finalize": False}, now)
    case = open_case(notes.uow(), colleague, {"patient_id": p3,
                                              "insurance_id": insurance["id"]}, now)

    # The therapist: 7 records over 3 patients.
    view_patient(notes.uow(), therapist, p1)  # p1 viewed
    view_patient(notes.uow(), therapist, p1)  # p1 viewed
    found, _ = search_patients(notes.uow(), therapist, name=f"birch{tag}", date_of_birth=None,
                               page=1, page_size=20)  # p2 searched
    assert [p["id"] for p in found] == [p2]
    correct_patient(notes.uow(), therapist, p2, {"phone": "555-0100"}, now)  # p2 edited
    note = begin_note(notes.uow(), therapist, case_id=case["id"], kind="daily_note",
                      date_of_service=now.date(), soap=SoapText(subjective="Better"),
                      now=now)  # p3 created
    note = revise_note(notes.uow(), therapist, note.id, expected_version=note.version,
                       soap={"plan": "HEP"}, billing=None, user_types=load_user_types(),
                       now=now)  # p3 edited
    finalize_note(notes.uow(), therapist, note.id, expected_version=note.version,
                  now=now)  # p3 finalized

    # audit.all is declared and bound by the consumer: it must be there before the relay runs.
    consumer = audit.consumer(AUDIT.subscriptions[0])
    thread = threading.Thread(target=consumer.run, daemon=True)
    thread.start()
    try:
        wait_for(consumer.ready.is_set, timeout=10)
        relay, published = notes.relay(), 0
        while sent := relay.relay_pending():
            published += sent
        assert published == 12  # 3 patients, the insurance, the case and the 7 accesses
        wait_for(lambda: stored_count(audit) == published, timeout=30)
    finally:
        consumer.should_stop = True
        thread.join(timeout=15)

    report = user_access_report(audit.uow(), Scope(org_id), therapist.user_id,
                                now - timedelta(hours=1), datetime.now(UTC) + timedelta(1))
    assert len(report.rows) == 3
    assert report.total_records == 7
    rows = {row.key: row for row in report.rows}
    assert {key: row.records for key, row in rows.items()} == {p1: 2, p2: 2, p3: 3}
    assert report.by_action == {"viewed": 2, "searched": 1, "created": 1, "edited": 2,
                                "finalized": 1, "shared": 0, "downloaded": 0}
    assert (rows[p1].by_action["viewed"], rows[p2].by_action["searched"],
            rows[p2].by_action["edited"]) == (2, 1, 1)
    assert (rows[p3].by_action["created"], rows[p3].by_action["edited"],
            rows[p3].by_action["finalized"]) == (1, 1, 1)

    theirs = user_access_report(audit.uow(), Scope(org_id), colleague.user_id,
                                now - timedelta(hours=1), datetime.now(UTC) + timedelta(1))
    # The colleague registered three patients and opened one case: 4 records, all created.
    assert (len(theirs.rows), theirs.total_records, theirs.by_action["created"]) == (3, 4, 4)

"""The access reports read the rollups kept at ingest and still answer exactly what a
recount of every stored record answers, for any window, edge days included."""

import csv
import io
import json
import random
from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from audit_harness import access, new_id
from sqlalchemy import delete, select, update

from audit.adapters.tables import access_rollups, access_totals, audit_events
from audit.domain.access import access_facts_from_event
from audit.domain.reports import build_patient_access_report, build_user_access_report
from audit.service_layer.access_reports import (
    access_report_of_user,
    patient_access_report,
    user_access_report,
)
from audit.service_layer.access_rollups import check_access_rollups, rebuild_access_rollups
from audit.service_layer.queries import Scope
from audit.spec import SPEC
from servicekit.messaging.envelope import Actor, Subject, new_event
from servicekit.migrations import alembic_config

pytestmark = pytest.mark.integration

MIDNIGHT = datetime(2026, 10, 5, tzinfo=UTC)
TYPES = ("notes.patient.viewed", "notes.note.viewed", "notes.note.started",
         "notes.note.updated", "notes.note.finalized", "docportal.share.sent",
         "docportal.document.downloaded", "notes.patients.searched", "notes.note.addendum_added")


def at(rng):
    """A time in the six days from MIDNIGHT, often on a midnight or a second before one."""
    day = timedelta(days=rng.randrange(6))
    return MIDNIGHT + day + rng.choice((
        timedelta(0), timedelta(microseconds=-1), timedelta(seconds=-1),
        timedelta(seconds=rng.randrange(86400), microseconds=rng.randrange(10**6))))


def random_event(rng, orgs, users, patients):
    kind = rng.choice(TYPES)
    actor = Actor(id=rng.choice(users), kind="staff")
    data = {}
    patient = rng.choice(patients)
    if kind.endswith(".searched"):
        data = {"patient_ids": rng.sample(patients, rng.randrange(0, 4)), "result_count": 3}
        patient = None
    elif kind == "docportal.share.sent":
        data = {"record_count": rng.randrange(1, 5)}
    return new_event(kind, subject=Subject(kind.split(".")[1], new_id()),
                     org_id=rng.choice(orgs), actor=actor, patient_id=patient, data=data,
                     occurred_at=at(rng))


@pytest.fixture
def accesses(feed):
    """180 accesses of 3 users on 6 patients over six days in two practices (and none)."""
    rng = random.Random(2026)
    orgs = [new_id(), new_id(), None]
    users, patients = [new_id() for _ in range(3)], [new_id() for _ in range(6)]
    events = [random_event(rng, orgs, users, patients) for _ in range(180)]
    events.append(new_event("notes.note.viewed", subject=Subject("note", new_id()),
                            org_id=orgs[0], patient_id=patients[0], occurred_at=at(rng)))
    feed(*events)
    return {"orgs": orgs, "users": users, "patients": patients}


def recount(audit, scope, subject, subject_id, start, end):
    """The report as it was built before the rollups: from every stored envelope."""
    with audit.uow() as uow:
        query = select(audit_events.c.envelope)
        if not scope.all_practices:
            query = query.where(audit_events.c.org_id == scope.org_id)
        envelopes = [json.loads(row.envelope) for row in uow.session.execute(query)]
    facts = [f for e in envelopes for f in access_facts_from_event(e)]
    build = build_user_access_report if subject == "user" else build_patient_access_report
    return build(facts, subject_id, start, end)


def random_window(rng):
    edges = [MIDNIGHT + timedelta(days=d) for d in range(-1, 8)]
    start = rng.choice((rng.choice(edges), at(rng), at(rng) - timedelta(days=1)))
    length = rng.choice((timedelta(microseconds=1), timedelta(hours=rng.randrange(1, 30)),
                         timedelta(days=rng.randrange(1, 8)),
                         timedelta(seconds=rng.randrange(1, 8 * 86400))))
    return start, start + length


def test_reports_from_rollups_equal_a_recount_for_random_windows(audit, accesses):
    rng = random.Random(16)
    scopes = [Scope(org) for org in accesses["orgs"][:2]] + [Scope(None, all_practices=True)]
    for _ in range(40):
        start, end = random_window(rng)
        scope = rng.choice(scopes)
        user, patient = rng.choice(accesses["users"]), rng.choice(accesses["patients"])
        assert user_access_report(audit.uow(), scope, user, start, end) == recount(
            audit, scope, "user", user, start, end), (start, end)
        assert patient_access_report(audit.uow(), scope, patient, start, end) == recount(
            audit, scope, "patient", patient, start, end), (start, end)


def test_a_window_holding_all_of_a_users_accesses_reads_only_the_totals(audit, accesses):
    """Emptying the day rows changes nothing; emptying the totals empties the report."""
    start, end = MIDNIGHT - timedelta(days=2), MIDNIGHT + timedelta(days=9)
    user, scope = accesses["users"][0], Scope(None, all_practices=True)
    whole = user_access_report(audit.uow(), scope, user, start, end)
    assert whole.total_records > 0
    with audit.uow() as uow:
        uow.session.execute(delete(access_rollups))
        assert access_report_of_user(uow.session, scope, user, start, end) == whole
        uow.session.execute(delete(access_totals))
        assert access_report_of_user(uow.session, scope, user, start, end).total_records == 0


def test_the_whole_days_of_a_cut_window_come_from_the_day_rows(audit, accesses):
    """Keys with accesses before and after the window: their whole days are day rows."""
    start, end = MIDNIGHT + timedelta(days=1), MIDNIGHT + timedelta(days=4)
    user, scope = accesses["users"][0], Scope(None, all_practices=True)
    before = user_access_report(audit.uow(), scope, user, start, end)
    with audit.uow() as uow:
        uow.session.execute(delete(access_rollups))
        without_days = access_report_of_user(uow.session, scope, user, start, end)
    assert without_days.total_records < before.total_records


def test_the_check_finds_a_changed_rollup_and_a_rebuild_repairs_it(audit, accesses):
    with audit.uow() as uow:
        assert check_access_rollups(uow.session).equal
        uow.session.execute(update(access_rollups).where(
            access_rollups.c.actor_id == accesses["users"][0]).values(
                records=access_rollups.c.records + 1))
        uow.commit()
    with audit.uow() as uow:
        found = check_access_rollups(uow.session)
        assert found.differing_rows > 0
        assert found.examples[0]["actor_id"] == accesses["users"][0]
    with audit.uow() as uow:
        rebuild_access_rollups(uow.session)
        uow.commit()
    with audit.uow() as uow:
        assert check_access_rollups(uow.session).equal
        uow.session.execute(delete(access_totals).where(
            access_totals.c.actor_id == accesses["users"][1]))
        assert not check_access_rollups(uow.session).equal


def test_the_migration_counts_the_records_already_stored(audit, accesses, database_url):
    with audit.uow() as uow:
        kept = [uow.session.execute(select(table)).all()
                for table in (access_rollups, access_totals)]
    config = alembic_config(SPEC.migrations_dir, database_url)
    rollups_step = next(rev for rev in ScriptDirectory.from_config(config).walk_revisions()
                        if rev.path.endswith("_access_rollups.py"))
    command.downgrade(config, rollups_step.down_revision)
    command.upgrade(config, "head")
    with audit.uow() as uow:
        for table, rows in zip((access_rollups, access_totals), kept, strict=True):
            assert sorted(uow.session.execute(select(table)).all()) == sorted(rows)


def test_a_search_with_unreadable_patient_ids_is_stored_and_not_counted(audit, feed):
    org, user = new_id(), new_id()
    odd = new_event("notes.patients.searched", subject=Subject("search", new_id()),
                    org_id=org, actor=Actor(id=user, kind="staff"), data={"patient_ids": 7})
    feed(odd)
    with audit.uow() as uow:
        stored = uow.session.execute(select(audit_events.c.event_id).where(
            audit_events.c.event_id == odd.id)).scalar_one()
        assert stored == odd.id
        assert check_access_rollups(uow.session).equal
    report = user_access_report(audit.uow(), Scope(org), user, MIDNIGHT,
                                datetime.now(UTC) + timedelta(minutes=1))
    assert report.total_records == 0


def test_the_csv_streams_and_says_what_the_json_says(app_client, feed):
    client, bearer_for = app_client
    org, user = new_id(), new_id()
    patients = [new_id() for _ in range(450)]  # more rows than one streamed chunk
    feed(*(access("notes.note.viewed", org, user, p) for p in patients))
    response = client.get(f"/reports/access?user_id={user}&format=csv",
                          headers=bearer_for(org))
    assert response.status_code == 200
    assert response.is_streamed
    lines = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert len(lines) == 1 + 450 + 1
    assert lines[-1][:2] == ["all patients", "450"]
    answer = client.get(f"/reports/access?user_id={user}", headers=bearer_for(org)).json
    assert [row[0] for row in lines[1:-1]] == [row["key"] for row in answer["rows"]]

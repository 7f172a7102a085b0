"""The hash chain in storage: consistent under concurrency, and any tampering is named."""

import json
import os
import stat
import threading

import pytest
from audit_harness import SYSTEM, new_id
from click.testing import CliRunner
from sqlalchemy import select, text

from audit.adapters.tables import audit_events, chain_checkpoints
from audit.bootstrap import checkpoint_verifier
from audit.cli import main as audit_cli
from audit.domain.chain import GENESIS_HASH, ChainHead, append_record
from audit.service_layer.chain import verify_stored_chain
from audit.service_layer.record import record_event
from servicekit.messaging.envelope import Subject, new_event

pytestmark = pytest.mark.integration


def some_event(org_id=None, n=0):
    return new_event("notes.patient.viewed", subject=Subject("patient", new_id()),
                     org_id=org_id or new_id(), actor=SYSTEM, data={"n": n})


def rows(audit):
    with audit.engine.connect() as conn:
        return conn.execute(select(audit_events).order_by(audit_events.c.seq)).mappings().all()


def verify(audit):
    with audit.uow() as uow:
        return verify_stored_chain(uow.session, checkpoint_verifier(audit.config))


def test_each_partition_is_a_gapless_chain_linked_by_hashes(audit, feed):
    feed(*(some_event(n=n) for n in range(20)))
    by_partition = {}
    for row in rows(audit):
        by_partition.setdefault(row["partition"], []).append(row)
    assert len(by_partition) > 1
    for chain in by_partition.values():
        assert [r["chain_seq"] for r in chain] == list(range(1, len(chain) + 1))
        assert chain[0]["prev_hash"] == GENESIS_HASH
        for before, after in zip(chain, chain[1:], strict=False):
            assert after["prev_hash"] == before["hash"]
    assert verify(audit).intact


def test_events_of_one_practice_share_one_partition(audit, feed):
    org = new_id()
    feed(*(some_event(org, n) for n in range(6)))
    assert len({r["partition"] for r in rows(audit)}) == 1


def test_concurrent_consumers_keep_the_chain_consistent(audit, settings):
    org = new_id()  # one practice: every writer contends for the same partition's head

    def write(worker):
        for n in range(15):
            with audit.uow() as uow:
                record_event(uow, some_event(org, n), settings)
                uow.commit()

    threads = [threading.Thread(target=write, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sorted(r["chain_seq"] for r in rows(audit)) == list(range(1, 61))
    assert verify(audit).intact


def test_a_checkpoint_is_signed_every_n_records_of_a_partition(audit, feed):
    org = new_id()
    feed(*(some_event(org, n) for n in range(11)))
    with audit.engine.connect() as conn:
        seqs = conn.execute(select(chain_checkpoints.c.seq).order_by("seq")).scalars().all()
    # The first record opens the checkpoints; then one every 5 records.
    assert seqs == [1, 6, 11]


def test_the_local_signing_key_is_generated_once_and_private(audit, settings):
    path = audit.config.local_dir / "audit-signing.pem"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def tamper(audit, sql, **params):
    with audit.engine.begin() as conn:
        conn.execute(text(sql), params)


def test_verify_names_an_edited_record(audit, feed):
    org = new_id()
    events = feed(*(some_event(org, n) for n in range(8)))
    victim = events[3]
    tamper(audit, "UPDATE audit_events SET envelope = replace(envelope, :a, :b) "
                  "WHERE event_id = :id", a='"n":3', b='"n":4', id=victim.id)
    report = verify(audit)
    assert not report.intact
    assert (report.chain_seq, report.event_id) == (4, victim.id)
    assert "altered" in report.reason


def test_verify_names_a_deleted_record(audit, feed):
    org = new_id()
    events = feed(*(some_event(org, n) for n in range(8)))
    tamper(audit, "DELETE FROM audit_events WHERE event_id = :id", id=events[2].id)
    report = verify(audit)
    assert not report.intact
    assert report.chain_seq == 3
    assert report.event_id is None  # it is gone; the place is what is named


def test_verify_names_the_first_of_two_swapped_records(audit, feed):
    org = new_id()
    events = feed(*(some_event(org, n) for n in range(8)))
    first, second = rows(audit)[2], rows(audit)[5]
    tamper(audit, "UPDATE audit_events SET envelope = :e WHERE seq = :s",
           e=second["envelope"], s=first["seq"])
    tamper(audit, "UPDATE audit_events SET envelope = :e WHERE seq = :s",
           e=first["envelope"], s=second["seq"])
    report = verify(audit)
    assert not report.intact
    assert (report.chain_seq, report.event_id) == (3, events[2].id)


def test_verify_notices_a_cut_tail(audit, feed):
    org = new_id()
    events = feed(*(some_event(org, n) for n in range(8)))
    tamper(audit, "DELETE FROM audit_events WHERE event_id = :id", id=events[-1].id)
    report = verify(audit)
    assert not report.intact
    assert report.chain_seq == 8
    assert "tail" in report.reason


def test_verify_notices_a_rewritten_chain_by_its_signed_checkpoint(audit, feed, settings):
    org = new_id()
    feed(*(some_event(org, n) for n in range(7)))
    # Rewrite record 2 and recompute every hash after it: only the checkpoint can tell.
    stored = rows(audit)
    head = ChainHead(stored[0]["partition"], 1, stored[0]["hash"])
    for row in stored[1:]:
        event = json.loads(row["envelope"])
        if row["chain_seq"] == 2:
            event["data"]["n"] = 99
        record = append_record(head, event)
        tamper(audit, "UPDATE audit_events SET envelope = :e, prev_hash = :p, hash = :h "
                      "WHERE seq = :s", e=json.dumps(event), p=record.prev_hash,
               h=record.hash, s=row["seq"])
        head = record.head
    tamper(audit, "UPDATE chain_heads SET hash = :h", h=head.hash)
    report = verify(audit)
    assert not report.intact
    assert "checkpoint" in report.reason


def test_audit_verify_command_says_intact_or_names_the_record(audit, feed, monkeypatch):
    monkeypatch.setenv("AUDIT_DATABASE_URL", audit.config.database_url)
    monkeypatch.setenv("LOCAL_DIR", str(audit.config.local_dir))
    monkeypatch.setenv("AUDIT_CHAIN_PARTITIONS", "4")
    org = new_id()
    events = feed(*(some_event(org, n) for n in range(4)))
    runner = CliRunner()
    ok = runner.invoke(audit_cli, ["verify"])
    assert ok.exit_code == 0, ok.output
    assert ok.output.startswith("intact (4 records)")
    tamper(audit, "UPDATE audit_events SET envelope = replace(envelope, :a, :b) "
                  "WHERE event_id = :id", a='"n":1', b='"n":5', id=events[1].id)
    bad = runner.invoke(audit_cli, ["verify"])
    assert bad.exit_code == 1
    assert f"seq 2 (event {events[1].id})" in bad.output

"""Someone who can write to the audit database, without the signing key or the witness, changes
a copy of a live database; `audit verify` finds every change and names its kind."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from audit_harness import new_id
from click.testing import CliRunner
from witness_harness import Attacker, Live, copy_database, drop_copy, start_clock, viewed

from audit.bootstrap import anchor_settings, chain_settings, checkpoint_verifier, witness_for
from audit.cli import main as audit_cli
from audit.service_layer.anchoring import Anchorer
from audit.service_layer.chain import partition_of, verify_stored_chain
from audit.spec import SPEC
from servicekit.migrations import upgrade

pytestmark = pytest.mark.integration


def two_orgs_in_two_partitions(partitions: int) -> tuple[str, str]:
    a = new_id()
    while True:
        b = new_id()
        if partition_of({"org_id": b}, partitions) != partition_of({"org_id": a}, partitions):
            return a, b


@pytest.fixture
def live_db(database_url, tmp_path):
    """Practice A: 342 records, anchored every 30 and its quiet tail of 12; practice B: 40."""
    # The consumer signs a partition's first record; the checkpoint worker the rest.
    config = SPEC.load_config(database_url=database_url, local_dir=tmp_path,
                              checkpoint_every=1000, checkpoint_seconds=60, chain_partitions=4)
    upgrade(SPEC.migrations_dir, database_url)
    runtime = SPEC.runtime(config)
    live = Live(runtime, chain_settings(config), Anchorer(anchor_settings(config)), start_clock())
    a, b = two_orgs_in_two_partitions(4)
    live.record(a, 330)
    live.record(b, 40)
    live.record(a, 12, batch=12)
    parts = {"a": live.partition(a), "b": live.partition(b)}
    runtime.close()
    yield config, parts


@pytest.fixture
def attacked(live_db):
    """A copy of the live database to attack, and how to verify it against the live witness."""
    config, parts = live_db
    url = copy_database(config.database_url)
    attacker = Attacker(url)
    copy = replace(config, database_url=url)

    def verify():
        runtime = SPEC.runtime(copy)
        with runtime.uow() as uow:
            report = verify_stored_chain(uow.session, checkpoint_verifier(copy),
                                         witness=witness_for(copy))
        runtime.close()
        return report

    yield attacker, parts, verify, copy
    attacker.close()
    drop_copy(url)


def test_an_untouched_copy_is_intact(attacked):
    _, _, verify, _ = attacked
    report = verify()
    assert report.intact, report.reason
    assert report.records_checked == 382


def broken(report, partition):
    assert not report.intact
    return {b.partition: b for b in report.breaks}[partition]


def test_newest_records_deleted_and_the_head_rewound_is_a_rollback(attacked):
    attacker, parts, verify, _ = attacked
    p = parts["a"]
    attacker.cut_back(p, keep=attacker.newest_seq(p) - 7)
    found = broken(verify(), p)
    assert (found.kind, found.chain_seq) == ("rolled_back", 336)


def test_a_record_of_the_quiet_tail_rewritten_with_recomputed_hashes(attacked):
    attacker, parts, verify, _ = attacked
    p = parts["a"]
    attacker.sql("DELETE FROM chain_checkpoints WHERE partition = :p AND seq >= 339", p=p)
    attacker.rewrite_from(p, 339)
    found = broken(verify(), p)
    assert (found.kind, found.chain_seq) == ("edited", 331)  # after the last good checkpoint
    assert "checkpoint_missing" in found.also


def test_checkpoint_rows_deleted_then_a_checkpointed_record_rewritten(attacked):
    attacker, parts, verify, _ = attacked
    p = parts["a"]
    attacker.sql("DELETE FROM chain_checkpoints WHERE partition = :p", p=p)
    attacker.rewrite_from(p, 100)
    found = broken(verify(), p)
    assert (found.kind, found.chain_seq) == ("checkpoint_missing", 1)
    assert "edited" in found.also


def test_a_whole_partition_deleted(attacked):
    attacker, parts, verify, _ = attacked
    p = parts["b"]
    for table in ("audit_events", "chain_heads"):
        attacker.sql(f"DELETE FROM {table} WHERE partition = :p", p=p)  # noqa: S608
    attacker.sql("DELETE FROM chain_checkpoints WHERE partition = :p", p=p)
    report = verify()
    found = broken(report, p)
    assert (found.kind, found.chain_seq) == ("partition_missing", 1)
    assert [b.partition for b in report.breaks] == [p]  # practice A's chain is untouched


def test_a_partition_rolled_back_by_299_records(attacked):
    attacker, parts, verify, _ = attacked
    p = parts["a"]
    attacker.cut_back(p, keep=attacker.newest_seq(p) - 299)
    found = broken(verify(), p)
    assert (found.kind, found.chain_seq) == ("rolled_back", 44)


def test_a_chain_rewritten_with_recomputed_hashes(attacked):
    attacker, parts, verify, _ = attacked
    p = parts["a"]
    attacker.rewrite_from(p, 5)
    found = broken(verify(), p)
    assert (found.kind, found.chain_seq) == ("edited", 2)


def test_single_row_edit_delete_and_swap_are_named(attacked):
    attacker, parts, verify, _ = attacked
    p = parts["a"]
    attacker.sql("UPDATE audit_events SET envelope = replace(envelope, :a, :b) "
                 "WHERE partition = :p AND chain_seq = 100", a='"n":99', b='"n":98', p=p)
    assert (broken(verify(), p).kind, broken(verify(), p).chain_seq) == ("edited", 100)
    attacker.sql("DELETE FROM audit_events WHERE partition = :p AND chain_seq = 20", p=p)
    assert (broken(verify(), p).kind, broken(verify(), p).chain_seq) == ("deleted", 20)


def test_two_records_swapped_are_reordered(attacked):
    attacker, parts, verify, _ = attacked
    p = parts["a"]
    rows = {r[0]: r[1] for r in attacker.sql(
        "SELECT chain_seq, envelope FROM audit_events WHERE partition = :p "
        "AND chain_seq IN (10, 13)", p=p)}
    for seq, other in ((10, 13), (13, 10)):
        attacker.sql("UPDATE audit_events SET envelope = :e WHERE partition = :p "
                     "AND chain_seq = :s", e=rows[other], p=p, s=seq)
    found = broken(verify(), p)
    assert (found.kind, found.chain_seq) == ("reordered", 10)


def test_a_checkpoint_with_a_forged_signature(attacked):
    attacker, parts, verify, _ = attacked
    p = parts["a"]
    attacker.sql("UPDATE chain_checkpoints SET head_hash = :h WHERE partition = :p AND seq = 30",
                 h="f" * 64, p=p)
    found = broken(verify(), p)
    assert (found.kind, found.chain_seq) == ("checkpoint_forged", 30)


def test_audit_verify_exits_non_zero_and_names_each_broken_partition(attacked, monkeypatch):
    attacker, parts, _, copy = attacked
    monkeypatch.setenv("AUDIT_DATABASE_URL", copy.database_url)
    monkeypatch.setenv("LOCAL_DIR", str(copy.local_dir))
    monkeypatch.setenv("AUDIT_CHAIN_PARTITIONS", "4")
    runner = CliRunner()
    ok = runner.invoke(audit_cli, ["verify"])
    assert ok.exit_code == 0 and ok.output.startswith("intact (382 records"), ok.output
    attacker.cut_back(parts["a"], keep=100)
    attacker.sql("DELETE FROM audit_events WHERE partition = :p", p=parts["b"])
    bad = runner.invoke(audit_cli, ["verify"])
    assert bad.exit_code == 1
    assert f"partition {parts['a']}: rolled_back at seq 101" in bad.output
    assert f"partition {parts['b']}: partition_missing at seq 1" in bad.output


def test_records_the_witness_never_saw_are_a_break_once_older_than_the_grace(audit, feed):
    feed(*(viewed(new_id(), n) for n in range(3)))
    with audit.uow() as uow:
        verifier, witness = checkpoint_verifier(audit.config), witness_for(audit.config)
        fresh = verify_stored_chain(uow.session, verifier, witness=witness)
        stale = verify_stored_chain(uow.session, verifier, witness=witness,
                                    grace=timedelta(seconds=0))
    assert fresh.intact  # the checkpoint worker has a moment to anchor them
    assert not stale.intact and {b.kind for b in stale.breaks} == {"checkpoint_missing"}

"""`audit checkpoint-worker`: quiet partitions are signed, every checkpoint reaches the witness and
the bus, a broken chain is never vouched for, and a failed verification raises a critical alert."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from audit_harness import Feeder, new_id
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select, text
from witness_harness import viewed

from audit.adapters.signing import Ed25519Signer
from audit.adapters.tables import alerts, audit_events, messaging
from audit.bootstrap import anchor_settings, chain_settings, checkpoint_verifier, witness_for
from audit.consumers import record_and_recognize
from audit.domain.chain import partition_for
from audit.service_layer.anchoring import CHECKPOINT_SIGNED, Anchorer, checkpoint_signed
from audit.service_layer.chain import verify_stored_chain
from audit.service_layer.checkpoint_worker import verify_and_alert
from audit.spec import SPEC
from servicekit.migrations import upgrade

pytestmark = pytest.mark.integration


@pytest.fixture
def quiet_audit(database_url, tmp_path):
    """The consumer signs each partition's first record only; the worker waits 60 s of quiet."""
    config = SPEC.load_config(database_url=database_url, local_dir=tmp_path,
                              checkpoint_every=1000, checkpoint_seconds=60, chain_partitions=4)
    upgrade(SPEC.migrations_dir, database_url)
    runtime = SPEC.runtime(config)
    yield runtime
    runtime.close()


def outbox_types(runtime):
    with runtime.engine.connect() as conn:
        return [r.event_type for r in conn.execute(select(messaging.outbox.c.event_type))]


def test_a_quiet_partition_is_signed_once_its_newest_checkpoint_is_older_than_a_second(
        quiet_audit):
    org = new_id()
    # Another practice's event first, in another partition than org's (ids are random).
    other = next(o for o in iter(new_id, None)
                 if partition_for(o, 4) != partition_for(org, 4))
    Feeder(quiet_audit, chain_settings(quiet_audit.config))(viewed(other, 0))
    Feeder(quiet_audit, chain_settings(quiet_audit.config))(*(viewed(org, n) for n in range(5)))
    anchorer = Anchorer(anchor_settings(quiet_audit.config))
    now = datetime.now(UTC)
    soon = anchorer.run_once(quiet_audit.uow(), now)
    assert soon.signed == []  # the consumer's checkpoint (seq 1) is younger than the quiet
    later = anchorer.run_once(quiet_audit.uow(), now + timedelta(seconds=61))
    assert [(cp.seq) for cp in later.signed if cp.seq == 5] == [5]
    witnessed = {(cp.partition, cp.seq) for cp in witness_for(quiet_audit.config).checkpoints()}
    assert {(cp.partition, cp.seq) for cp in later.signed} <= witnessed
    assert witness_for(quiet_audit.config).latest_catalog() is not None
    assert outbox_types(quiet_audit).count(CHECKPOINT_SIGNED) == len(witnessed)


def test_a_broken_chain_is_not_vouched_for_and_raises_a_critical_alert(quiet_audit):
    org = new_id()
    Feeder(quiet_audit, chain_settings(quiet_audit.config))(*(viewed(org, n) for n in range(4)))
    with quiet_audit.engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET envelope = replace(envelope, :a, :b) "
                          "WHERE chain_seq = 3"), {"a": '"n":2', "b": '"n":7'})
    done = Anchorer(anchor_settings(quiet_audit.config)).run_once(
        quiet_audit.uow(), datetime.now(UTC) + timedelta(minutes=5))
    assert [(b.kind.value, b.seq) for b in done.breaks] == [("edited", 3)]
    assert all(cp.seq < 3 for cp in witness_for(quiet_audit.config).checkpoints())
    with quiet_audit.engine.connect() as conn:
        raised = conn.execute(select(alerts.c.reason, alerts.c.severity)).all()
    assert [tuple(r) for r in raised] == [("audit_record_broken", "critical")]
    assert "audit.alert.raised" in outbox_types(quiet_audit)


def test_a_scheduled_verification_that_fails_raises_one_alert_per_break(quiet_audit):
    org = new_id()
    Feeder(quiet_audit, chain_settings(quiet_audit.config))(*(viewed(org, n) for n in range(4)))
    with quiet_audit.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_events WHERE chain_seq = 2"))

    def verify():
        with quiet_audit.uow() as uow:
            return verify_stored_chain(uow.session, checkpoint_verifier(quiet_audit.config),
                                       witness=witness_for(quiet_audit.config))

    for _ in range(2):  # an unresolved alert is not raised again
        assert not verify_and_alert(quiet_audit.uow(), verify).intact
    with quiet_audit.engine.connect() as conn:
        assert conn.execute(select(alerts.c.severity)).scalars().all() == ["critical"]


def test_checkpoint_events_are_not_chained_again(quiet_audit):
    org = new_id()
    Feeder(quiet_audit, chain_settings(quiet_audit.config))(viewed(org, 0))
    done = Anchorer(anchor_settings(quiet_audit.config)).run_once(
        quiet_audit.uow(), datetime.now(UTC) + timedelta(minutes=5))
    event = checkpoint_signed(done.anchored[0])
    assert event.data["signature"] and event.data["key_id"]
    with quiet_audit.uow() as uow:
        record_and_recognize(uow, event)
        uow.commit()
    with quiet_audit.engine.connect() as conn:
        types = conn.execute(select(audit_events.c.type)).scalars().all()
    assert CHECKPOINT_SIGNED not in types


def test_checkpoints_of_a_rotated_key_still_verify_with_its_public_key(quiet_audit):
    old = quiet_audit.config
    Feeder(quiet_audit, chain_settings(old))(*(viewed(new_id(), n) for n in range(3)))
    Anchorer(anchor_settings(old)).run_once(quiet_audit.uow(),
                                            datetime.now(UTC) + timedelta(minutes=5))
    old_public = Ed25519Signer.from_pem((old.local_dir / "audit-signing.pem").read_bytes())
    new_private = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()).decode("ascii")
    rotated = replace(old, signing_key=new_private,
                      verify_keys=old_public.public_pem().decode("ascii"))
    forgotten = replace(rotated, verify_keys=None)
    with quiet_audit.uow() as uow:
        kept = verify_stored_chain(uow.session, checkpoint_verifier(rotated),
                                   witness=witness_for(rotated))
        lost = verify_stored_chain(uow.session, checkpoint_verifier(forgotten),
                                   witness=witness_for(forgotten))
    assert kept.intact, kept.reason
    assert not lost.intact and lost.kind == "checkpoint_forged"


def test_the_witness_folder_is_append_only_json_lines(quiet_audit):
    Feeder(quiet_audit, chain_settings(quiet_audit.config))(viewed(new_id(), 0))
    Anchorer(anchor_settings(quiet_audit.config)).run_once(
        quiet_audit.uow(), datetime.now(UTC) + timedelta(minutes=5))
    folder = quiet_audit.config.local_dir / "audit-witness"
    files = sorted(p.name for p in folder.iterdir())
    assert "catalog.jsonl" in files and any(f.startswith("checkpoints-p") for f in files)
    for path in folder.iterdir():
        for line in path.read_text().splitlines():
            assert {"taken_at", "key_id", "signature"} <= set(json.loads(line))

"""The witness in an S3 bucket of its own (SeaweedFS here): made versioned, written by the
checkpoint worker, read by `audit verify`, which finds a deleted partition and a rollback."""

from __future__ import annotations

import uuid
from dataclasses import replace

import pytest
from audit_harness import new_id
from witness_harness import Attacker, Live, copy_database, drop_copy, start_clock

from audit.adapters.witness_s3 import S3Witness
from audit.bootstrap import anchor_settings, chain_settings, checkpoint_verifier, witness_for
from audit.service_layer.anchoring import Anchorer
from audit.service_layer.chain import verify_stored_chain
from audit.spec import SPEC
from servicekit.migrations import upgrade

pytestmark = pytest.mark.integration


@pytest.fixture
def s3_config(database_url, tmp_path, seaweedfs):
    config = SPEC.load_config(
        database_url=database_url, local_dir=tmp_path, checkpoint_every=1000,
        checkpoint_seconds=60, chain_partitions=4,
        witness_bucket=f"audit-witness-{uuid.uuid4().hex[:10]}",
        witness_endpoint_url=seaweedfs.endpoint_url, witness_access_key=seaweedfs.access_key,
        witness_secret_key=seaweedfs.secret_key, witness_lock_days=0)
    upgrade(SPEC.migrations_dir, database_url)
    return config


def verify(config):
    runtime = SPEC.runtime(config)
    with runtime.uow() as uow:
        report = verify_stored_chain(uow.session, checkpoint_verifier(config),
                                     witness=witness_for(config))
    runtime.close()
    return report


def test_the_bucket_is_made_versioned_and_holds_every_anchored_checkpoint(s3_config, seaweedfs):
    witness = witness_for(s3_config)
    assert isinstance(witness, S3Witness)
    witness.ensure_bucket()
    status = seaweedfs.client().get_bucket_versioning(Bucket=s3_config.witness_bucket)
    assert status.get("Status") == "Enabled"
    runtime = SPEC.runtime(s3_config)
    live = Live(runtime, chain_settings(s3_config), Anchorer(anchor_settings(s3_config)),
                start_clock())
    org = new_id()
    live.record(org, 25, batch=10)
    runtime.close()
    seqs = sorted(cp.seq for cp in witness.checkpoints())
    assert seqs[-1] == 25 and {10, 20} <= set(seqs)
    catalog = witness.latest_catalog()
    assert catalog.heads[live.partition(org)].seq == 25
    assert verify(s3_config).intact


def test_verify_against_the_bucket_finds_a_deleted_partition_and_a_rollback(s3_config):
    witness_for(s3_config).ensure_bucket()
    runtime = SPEC.runtime(s3_config)
    live = Live(runtime, chain_settings(s3_config), Anchorer(anchor_settings(s3_config)),
                start_clock())
    a, b = new_id(), new_id()
    while live.partition(b) == live.partition(a):
        b = new_id()
    live.record(a, 20, batch=10)
    live.record(b, 5)
    runtime.close()
    url = copy_database(s3_config.database_url)
    attacker = Attacker(url)
    try:
        attacker.cut_back(live.partition(a), keep=12)
        for table in ("audit_events", "chain_heads", "chain_checkpoints"):
            attacker.sql(f"DELETE FROM {table} WHERE partition = :p",  # noqa: S608
                         p=live.partition(b))
        report = verify(replace(s3_config, database_url=url))
    finally:
        attacker.close()
        drop_copy(url)
    kinds = {found.partition: (found.kind, found.chain_seq) for found in report.breaks}
    assert kinds == {live.partition(a): ("rolled_back", 13),
                     live.partition(b): ("partition_missing", 1)}

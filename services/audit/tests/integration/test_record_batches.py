"""A batch of deliveries is chained and stored together, exactly as one by one would."""

import json

import pytest
from audit_harness import SYSTEM, new_id
from sqlalchemy import select

from audit.adapters.tables import audit_events, chain_checkpoints, chain_heads
from audit.bootstrap import checkpoint_verifier
from audit.domain.chain import ChainHead, append_record
from audit.service_layer.chain import partition_of, verify_stored_chain
from audit.service_layer.record import record_events
from servicekit.messaging.envelope import Subject, encode_event, new_event

pytestmark = pytest.mark.integration


def viewed(org_id, n):
    return new_event("notes.patient.viewed", subject=Subject("patient", new_id()),
                     org_id=org_id, actor=SYSTEM, data={"n": n})


def record_batch(audit, settings, events):
    with audit.uow() as uow:
        record_events(uow, events, settings)
        uow.commit()


def test_a_batch_over_several_practices_is_chained_as_one_by_one_would_be(audit, settings):
    practices = [new_id() for _ in range(5)]
    events = [viewed(practices[n % 5], n) for n in range(40)]
    record_batch(audit, settings, events)

    heads: dict[int, ChainHead] = {}
    expected = {}
    for event in events:  # the chain the domain makes, one event after the other
        body = json.loads(encode_event(event))
        partition = partition_of(body, settings.partitions)
        record = append_record(heads.get(partition, ChainHead.genesis(partition)), body)
        heads[partition] = record.head
        expected[event.id] = (record.partition, record.seq, record.prev_hash, record.hash)
    with audit.engine.connect() as conn:
        stored = {row.event_id: (row.partition, row.chain_seq, row.prev_hash, row.hash)
                  for row in conn.execute(select(audit_events))}
        stored_heads = {row.partition: (row.seq, row.hash)
                        for row in conn.execute(select(chain_heads))}
    assert stored == expected
    assert stored_heads == {p: (h.seq, h.hash) for p, h in heads.items()}
    with audit.uow() as uow:
        assert verify_stored_chain(uow.session, checkpoint_verifier(audit.config)).intact


def test_checkpoints_of_a_batch_fall_where_one_by_one_would_put_them(audit, settings):
    org = new_id()
    record_batch(audit, settings, [viewed(org, n) for n in range(11)])
    with audit.engine.connect() as conn:
        seqs = conn.execute(select(chain_checkpoints.c.seq).order_by("seq")).scalars().all()
    assert seqs == [1, 6, 11]  # checkpoint_every=5 in these tests

"""A batch takes its chain heads' locks lowest partition first, so replicas never deadlock."""

import uuid

from audit.service_layer import chain


def test_a_batch_locks_each_partition_once_in_ascending_order(monkeypatch):
    locked: list[int] = []
    monkeypatch.setattr(chain, "lock_head", lambda session, partition: locked.append(partition))
    events = [{"id": str(uuid.uuid4()), "org_id": f"practice-{n % 11}"} for n in range(60)]
    events += [{"id": str(uuid.uuid4()), "org_id": None} for _ in range(10)]

    chain.lock_heads_in_order(session=None, events=events, partitions=8)

    expected = sorted({chain.partition_of(e, 8) for e in events})
    assert locked == expected
    assert len(expected) > 1

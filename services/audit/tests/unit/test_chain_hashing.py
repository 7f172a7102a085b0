import hashlib
from dataclasses import replace

import pytest

from audit.domain.chain import (
    GENESIS_HASH,
    ChainHead,
    ChainRecord,
    append_record,
    canonical_bytes,
    partition_for,
    verify_chain,
)


def event(n: int, **extra) -> dict:
    return {
        "id": f"evt-{n}",
        "type": "notes.patient.viewed",
        "patient_id": f"p-{n}",
        "occurred_at": f"2026-11-23T09:00:{n:02d}+00:00",
        "data": {"n": n},
        **extra,
    }


def build(count: int, partition: int = 0, start: ChainHead | None = None) -> list[ChainRecord]:
    head = start or ChainHead.genesis(partition)
    records = []
    for n in range(1, count + 1):
        record = append_record(head, event(n, partition=partition))
        records.append(record)
        head = record.head
    return records


def test_canonical_bytes_sort_keys_without_whitespace_in_utf8():
    assert canonical_bytes({"b": 1, "a": {"d": [1, 2], "c": "Zoë"}}) == (
        '{"a":{"c":"Zoë","d":[1,2]},"b":1}'.encode()
    )


def test_canonical_bytes_refuse_values_json_cannot_carry_exactly():
    with pytest.raises(ValueError):
        canonical_bytes({"x": float("nan")})
    with pytest.raises(TypeError):
        canonical_bytes({"x": {1, 2}})


def test_record_hash_is_sha256_over_previous_hash_and_canonical_bytes():
    first = append_record(ChainHead.genesis(3), {"id": "e1"})
    body = b'{"event":{"id":"e1"},"partition":3,"seq":1}'
    assert first.prev_hash == GENESIS_HASH
    assert first.hash == hashlib.sha256(GENESIS_HASH.encode() + body).hexdigest()
    second = append_record(first.head, {"id": "e2"})
    body2 = b'{"event":{"id":"e2"},"partition":3,"seq":2}'
    assert second.hash == hashlib.sha256(first.hash.encode() + body2).hexdigest()


def test_intact_chain_verifies():
    records = build(5)
    result = verify_chain(records)
    assert (result.intact, result.first_bad) == (True, None)
    assert result.heads[0] == records[-1].head


def test_empty_chain_is_intact():
    assert verify_chain([]).intact


def test_edited_record_is_detected():
    records = build(5)
    records[2] = replace(records[2], event=event(3, patient_id="p-someone-else"))
    result = verify_chain(records)
    assert (result.intact, result.first_bad) == (False, (0, 3))
    assert "altered" in result.reason


def test_edited_record_with_recomputed_hash_breaks_the_next_link():
    records = build(5)
    forged = append_record(records[1].head, event(3, patient_id="p-someone-else"))
    records[2] = forged
    result = verify_chain(records)
    assert (result.intact, result.first_bad) == (False, (0, 4))
    assert "does not link" in result.reason


def test_deleted_record_is_detected_as_a_gap():
    records = build(5)
    del records[2]
    result = verify_chain(records)
    assert (result.intact, result.first_bad) == (False, (0, 3))
    assert "expected seq 3" in result.reason


def test_reordered_records_are_detected():
    records = build(5)
    records[1], records[2] = records[2], records[1]
    result = verify_chain(records)
    assert (result.intact, result.first_bad) == (False, (0, 2))


def test_swapped_contents_under_unchanged_seqs_are_detected():
    records = build(5)
    a, b = records[1], records[2]
    records[1] = replace(a, event=b.event, hash=b.hash, prev_hash=b.prev_hash)
    records[2] = replace(b, event=a.event, hash=a.hash, prev_hash=a.prev_hash)
    assert verify_chain(records).first_bad == (0, 2)


def test_record_moved_to_another_partition_is_detected():
    moved = replace(build(1, partition=0)[0], partition=1)
    result = verify_chain([moved])
    assert (result.intact, result.first_bad) == (False, (1, 1))


def test_first_record_must_follow_genesis():
    records = build(3)
    assert verify_chain(records[1:]).first_bad == (0, 1)


def test_partitions_chain_independently_and_may_interleave():
    zero, one = build(3, partition=0), build(3, partition=1)
    interleaved = [r for pair in zip(zero, one, strict=True) for r in pair]
    assert verify_chain(interleaved).intact

    interleaved[3] = replace(interleaved[3], event={"tampered": True})  # partition 1, seq 2
    result = verify_chain(interleaved)
    assert (result.intact, result.first_bad) == (False, (1, 2))


def test_verification_resumes_from_a_verified_head():
    records = build(6)
    start = {0: records[2].head}
    assert verify_chain(records[3:], start=start).intact
    assert not verify_chain(records[4:], start=start).intact


def test_append_refuses_a_malformed_previous_hash():
    with pytest.raises(ValueError, match="64 lower-case hex"):
        append_record(ChainHead(0, 1, "ABC"), event(1))


def test_partition_for_is_stable_across_processes_and_in_range():
    # A fixed expectation: the same key lands in the same partition on every replica.
    assert (
        partition_for("org-1", 8)
        == int.from_bytes(hashlib.sha256(b"org-1").digest()[:8], "big") % 8
    )
    assert {partition_for(f"org-{i}", 4) for i in range(200)} == {0, 1, 2, 3}
    with pytest.raises(ValueError):
        partition_for("org-1", 0)

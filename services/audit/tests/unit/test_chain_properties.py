"""The tamper-evident hash chain as properties over any records in any partitions."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import replace
from datetime import UTC, datetime

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from audit.domain.chain import (
    ChainHead,
    ChainRecord,
    append_record,
    canonical_bytes,
    partition_for,
    verify_chain,
)
from audit.domain.checkpoints import sign_checkpoint, verify_with_checkpoints
from audit.service_layer.chain import partition_of

properties = settings(max_examples=200, deadline=None)

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=10),
    lambda children: st.lists(children, max_size=3)
    | st.dictionaries(st.text(max_size=6), children, max_size=3),
    max_leaves=4,
)
org_ids = st.none() | st.sampled_from(["practice-1", "practice-2", "practice-3"])
events = st.fixed_dictionaries(
    {
        "id": st.uuids().map(str),
        "type": st.sampled_from(
            ["notes.patient.viewed", "identity.user.created", "docportal.share.claimed"]
        ),
        "org_id": org_ids,
        "data": json_values,
    }
)


@st.composite
def chains(draw: st.DrawFn, min_size: int = 0) -> list[ChainRecord]:
    """Records appended to up to four partitions, in the interleaved order they arrived."""
    partitions = draw(st.integers(min_value=1, max_value=4))
    arrivals = draw(
        st.lists(
            st.tuples(st.integers(min_value=0, max_value=partitions - 1), events),
            min_size=min_size,
            max_size=12,
        )
    )
    heads: dict[int, ChainHead] = {}
    records = []
    for partition, event in arrivals:
        record = append_record(heads.get(partition, ChainHead.genesis(partition)), event)
        heads[partition] = record.head
        records.append(record)
    return records


def newest_heads(records: list[ChainRecord]) -> dict[int, ChainHead]:
    return {record.partition: record.head for record in records}


def next_in_partition(records: list[ChainRecord], index: int) -> int | None:
    """The stored position of the record after ``records[index]`` in its partition."""
    partition = records[index].partition
    later = [j for j in range(index + 1, len(records)) if records[j].partition == partition]
    return later[0] if later else None


def draw_neighbours(records: list[ChainRecord], data: st.DataObject) -> tuple[int, int]:
    """Stored positions of two records that follow each other in one partition."""
    pairs = [(i, j) for i in range(len(records)) if (j := next_in_partition(records, i))]
    assume(pairs)
    return data.draw(st.sampled_from(pairs), label="pair")


class HmacKey:
    """A fake checkpoint signer and verifier; the real one is Ed25519 in audit.adapters."""

    key_id = "test-key"

    def sign(self, message: bytes) -> bytes:
        return hmac.new(b"checkpoint-secret", message, hashlib.sha256).digest()

    def verify(self, key_id: str, message: bytes, signature: bytes) -> bool:
        return key_id == self.key_id and hmac.compare_digest(self.sign(message), signature)


KEY = HmacKey()
CHECKPOINT_TIME = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@properties
@given(chains(), st.randoms(use_true_random=False))
def test_an_untouched_chain_verifies_intact_in_any_interleaving_of_its_partitions(
    records, rng
):
    # Partitions chain independently: only each partition's own order matters.
    by_partition = {p: [r for r in records if r.partition == p] for p in newest_heads(records)}
    lanes = [p for p, lane in by_partition.items() for _ in lane]
    rng.shuffle(lanes)
    reinterleaved = [by_partition[p].pop(0) for p in lanes]

    for stored in (records, sorted(records, key=lambda r: (r.partition, r.seq)), reinterleaved):
        result = verify_chain(stored)
        assert (result.intact, result.first_bad) == (True, None)
        assert result.heads == newest_heads(records)


def changed_value(data: st.DataObject, record: ChainRecord, field: str) -> object:
    """Another value for ``field`` of ``record``, one that is really different when hashed."""
    if field == "event":
        return data.draw(
            events.filter(lambda e: canonical_bytes(e) != canonical_bytes(record.event)),
            label="event",
        )
    if field == "seq":
        return data.draw(st.integers().filter(lambda seq: seq != record.seq), label="seq")
    hashes = st.text(alphabet="0123456789abcdef", min_size=64, max_size=64) | st.text()
    return data.draw(hashes.filter(lambda h: h != getattr(record, field)), label=field)


@properties
@given(chains(min_size=1), st.sampled_from(["event", "seq", "prev_hash", "hash"]), st.data())
def test_changing_any_field_of_any_record_names_that_record_as_the_first_bad(
    records, field, data
):
    index = data.draw(st.integers(min_value=0, max_value=len(records) - 1), label="index")
    target = records[index]
    records[index] = replace(target, **{field: changed_value(data, target, field)})

    result = verify_chain(records)

    assert not result.intact
    assert result.first_bad == (target.partition, target.seq)


@properties
@given(chains(min_size=2), st.data())
def test_a_forged_record_with_a_recomputed_hash_is_caught_at_the_next_link(records, data):
    forgeable = [i for i in range(len(records)) if next_in_partition(records, i) is not None]
    assume(forgeable)
    index = data.draw(st.sampled_from(forgeable), label="index")
    target = records[index]
    before = ChainHead(target.partition, target.seq - 1, target.prev_hash)
    forged_event = data.draw(
        events.filter(lambda e: canonical_bytes(e) != canonical_bytes(target.event)),
        label="forged_event",
    )
    records[index] = append_record(before, forged_event)

    result = verify_chain(records)

    assert not result.intact
    assert result.first_bad == (target.partition, target.seq + 1)
    assert "does not link" in result.reason


@properties
@given(chains(min_size=1), st.data())
def test_moving_a_record_to_another_partition_is_caught_at_that_record(records, data):
    index = data.draw(st.integers(min_value=0, max_value=len(records) - 1), label="index")
    target = records[index]
    step = data.draw(st.integers(min_value=1, max_value=8), label="step")
    moved_to = (target.partition + step) % 9  # any of partitions 0-8 but its own
    records[index] = replace(target, partition=moved_to)

    result = verify_chain(records)

    # The record now claims a place in ``moved_to``: the walk stops at it and names the seq
    # that partition expected there (which is the moved record's own seq when they agree).
    expected_seq = 1 + sum(1 for r in records[:index] if r.partition == moved_to)
    assert not result.intact
    assert result.first_bad == (moved_to, expected_seq)
    assert verify_chain(records[:index]).intact


@properties
@given(chains(min_size=2), st.data())
def test_deleting_a_record_that_has_a_successor_names_the_deleted_record(records, data):
    deletable = [i for i in range(len(records)) if next_in_partition(records, i) is not None]
    assume(deletable)
    index = data.draw(st.sampled_from(deletable), label="index")
    deleted = records.pop(index)

    result = verify_chain(records)

    assert not result.intact
    assert result.first_bad == (deleted.partition, deleted.seq)


@properties
@given(chains(min_size=1), st.data())
def test_with_checkpoints_of_every_head_deleting_any_record_names_the_deleted_record(
    records, data
):
    # The chain alone cannot see a cut tail (chain.py and checkpoints.py say so); the
    # signed checkpoints of the heads are what catch it.
    checkpoints = [sign_checkpoint(h, CHECKPOINT_TIME, KEY) for h in newest_heads(records).values()]
    assert verify_with_checkpoints(records, checkpoints, KEY).intact
    index = data.draw(st.integers(min_value=0, max_value=len(records) - 1), label="index")
    deleted = records.pop(index)

    result = verify_with_checkpoints(records, checkpoints, KEY)

    assert not result.intact
    assert result.first_bad == (deleted.partition, deleted.seq)


@properties
@given(chains(min_size=2), st.data())
def test_swapping_two_neighbouring_records_of_a_partition_names_the_earlier_place(
    records, data
):
    i, j = draw_neighbours(records, data)
    first = records[i]
    records[i], records[j] = records[j], records[i]

    result = verify_chain(records)

    assert not result.intact
    assert result.first_bad == (first.partition, first.seq)


@properties
@given(chains(min_size=2), st.data())
def test_swapping_the_contents_of_two_neighbouring_records_under_their_seqs_is_caught(
    records, data
):
    # Storage reads records by (partition, seq), so a swap of rows shows up as swapped
    # contents under unchanged seqs.
    i, j = draw_neighbours(records, data)
    a, b = records[i], records[j]
    records[i] = replace(a, event=b.event, prev_hash=b.prev_hash, hash=b.hash)
    records[j] = replace(b, event=a.event, prev_hash=a.prev_hash, hash=a.hash)

    result = verify_chain(records)

    assert not result.intact
    assert result.first_bad == (a.partition, a.seq)


@properties
@given(st.text(), st.integers(min_value=1, max_value=64))
def test_a_key_always_lands_in_the_same_single_partition_in_range(key, partitions):
    chosen = partition_for(key, partitions)

    assert 0 <= chosen < partitions
    assert partition_for(key, partitions) == chosen
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    assert chosen == int.from_bytes(digest[:8], "big") % partitions


@properties
@given(st.lists(events, max_size=30), st.integers(min_value=1, max_value=16))
def test_every_event_lands_in_exactly_one_partition_shared_by_its_practice(batch, partitions):
    placed = [partition_of(event, partitions) for event in batch]

    assert all(0 <= p < partitions for p in placed)
    assert placed == [partition_of(event, partitions) for event in batch]
    for event, p in zip(batch, placed, strict=True):
        key = event["org_id"] or event["id"]
        assert p == partition_for(key, partitions)
        if event["org_id"] is not None:
            assert partition_of({**event, "id": "another-event"}, partitions) == p

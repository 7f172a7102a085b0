"""A partition judged against the database's claims and the witness: each break has its kind."""

import hashlib
import hmac
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from audit.domain.anchors import (
    catalog_document,
    catalog_from_document,
    catalog_is_genuine,
    sign_catalog,
)
from audit.domain.chain import ChainHead, append_record
from audit.domain.checkpoints import sign_checkpoint
from audit.domain.integrity import (
    BreakKind,
    Evidence,
    Walk,
    fits_elsewhere,
    judge_partition,
    walk_partition,
)

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


class HmacKey:
    key_id = "test-key"

    def sign(self, message: bytes) -> bytes:
        return hmac.new(b"secret", message, hashlib.sha256).digest()

    def verify(self, key_id: str, message: bytes, signature: bytes) -> bool:
        return key_id == self.key_id and hmac.compare_digest(self.sign(message), signature)


KEY = HmacKey()


def build(count):
    head, records = ChainHead.genesis(0), []
    for n in range(1, count + 1):
        records.append(append_record(head, {"id": f"evt-{n}"}))
        head = records[-1].head
    return records


def signed(records, seq):
    return sign_checkpoint(records[seq - 1].head, NOW, KEY)


def judge(records, *, head=None, own=(), witnessed=(), catalog=None, received=None):
    wanted = {cp.seq for cp in [*own, *witnessed]} | ({catalog.seq} if catalog else set())
    walk = walk_partition(0, records, wanted)
    evidence = Evidence(0, head, list(own), list(witnessed), catalog)
    return judge_partition(walk, evidence, KEY, now=NOW, grace=timedelta(minutes=2),
                           received_at=lambda seq: received)


def kinds(found):
    return [(b.kind, b.seq) for b in found]


def test_a_chain_that_matches_its_head_checkpoints_and_witness_is_intact():
    records = build(10)
    cps = [signed(records, 5), signed(records, 10)]
    assert judge(records, head=records[-1].head, own=cps, witnessed=cps) == []


def test_a_consistent_database_behind_the_witness_was_rolled_back():
    records = build(10)
    cut = records[:7]
    found = judge(cut, head=cut[-1].head, own=[signed(records, 5)],
                  witnessed=[signed(records, 5), signed(records, 10)])
    assert kinds(found) == [(BreakKind.ROLLED_BACK, 8), (BreakKind.CHECKPOINT_MISSING, 10)]


def test_a_chain_shorter_than_its_own_head_was_truncated():
    records = build(10)
    assert kinds(judge(records[:8], head=records[-1].head)) == [(BreakKind.TRUNCATED, 9)]


def test_a_partition_only_the_witness_knows_is_missing():
    records = build(3)
    found = judge([], witnessed=[signed(records, 3)])
    assert kinds(found) == [(BreakKind.PARTITION_MISSING, 1)]


def test_a_checkpoint_the_database_lost_is_missing_and_a_changed_one_is_forged():
    records = build(6)
    cp = signed(records, 3)
    assert kinds(judge(records, head=records[-1].head, witnessed=[cp])) == [
        (BreakKind.CHECKPOINT_MISSING, 3)]
    forged = replace(cp, head_hash="f" * 64)
    assert (BreakKind.CHECKPOINT_FORGED, 3) in kinds(judge(records, own=[forged],
                                                            witnessed=[cp]))


def test_unanchored_records_are_a_break_only_once_older_than_the_grace():
    records = build(4)
    assert judge(records, received=NOW - timedelta(seconds=5)) == []
    assert kinds(judge(records, received=NOW - timedelta(minutes=3))) == [
        (BreakKind.CHECKPOINT_MISSING, 1)]


def test_a_swapped_record_fits_the_hashes_stored_at_its_first_place():
    records = build(6)
    places = [(r.seq, r.prev_hash, r.hash) for r in records]
    assert fits_elsewhere(records[4].event, 0, places, here=2) == 5
    assert fits_elsewhere({"id": "made-up"}, 0, places, here=2) is None


def test_the_catalog_is_signed_and_survives_its_json_form():
    catalog = sign_catalog({0: ChainHead(0, 4, "a" * 64), 3: ChainHead(3, 9, "b" * 64)}, NOW,
                           KEY)
    again = catalog_from_document(catalog_document(catalog))
    assert again == catalog and catalog_is_genuine(again, KEY)
    assert not catalog_is_genuine(replace(again, heads={0: ChainHead(0, 2, "a" * 64)}), KEY)


def test_an_empty_walk_with_no_evidence_has_nothing_to_say():
    assert judge_partition(Walk(0, ChainHead.genesis(0)), Evidence(0, None, [], []), KEY,
                           now=NOW, grace=timedelta(0), received_at=lambda s: None) == []

import hashlib
import hmac
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest

from audit.domain.chain import ChainHead, append_record
from audit.domain.checkpoints import (
    CheckpointPolicy,
    checkpoint_is_due,
    checkpoint_message,
    sign_checkpoint,
    verify_with_checkpoints,
)

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


class HmacKey:
    """A fake signer and verifier; the real one is Ed25519 in audit.adapters.signing."""

    def __init__(self, secret: bytes, key_id: str = "test-key") -> None:
        self.secret, self.key_id = secret, key_id

    def sign(self, message: bytes) -> bytes:
        return hmac.new(self.secret, message, hashlib.sha256).digest()

    def verify(self, key_id: str, message: bytes, signature: bytes) -> bool:
        return key_id == self.key_id and hmac.compare_digest(self.sign(message), signature)


KEY = HmacKey(b"checkpoint-secret")


def build(count, partition=0):
    head, records = ChainHead.genesis(partition), []
    for n in range(1, count + 1):
        records.append(append_record(head, {"id": f"evt-{partition}-{n}"}))
        head = records[-1].head
    return records


def checkpoint_at(records, index, minutes=0):
    return sign_checkpoint(records[index].head, NOW + timedelta(minutes=minutes), KEY)


def test_chain_agreeing_with_its_checkpoints_is_intact():
    records = build(10)
    checkpoints = [checkpoint_at(records, 3), checkpoint_at(records, 9, minutes=5)]
    result = verify_with_checkpoints(records, checkpoints, KEY)
    assert (result.intact, result.first_bad) == (True, None)


def test_truncated_tail_after_a_checkpoint_is_detected():
    records = build(10)
    checkpoints = [checkpoint_at(records, 7)]  # vouches for seq 8
    result = verify_with_checkpoints(records[:6], checkpoints, KEY)
    assert (result.intact, result.first_bad) == (False, (0, 7))
    assert "removed from the tail" in result.reason


def test_partition_emptied_after_a_checkpoint_is_detected():
    records = build(3, partition=2)
    result = verify_with_checkpoints([], [checkpoint_at(records, 2)], KEY)
    assert result.first_bad == (2, 1)


def test_rewritten_chain_with_recomputed_hashes_is_detected_by_its_checkpoint():
    records = build(10)
    checkpoints = [checkpoint_at(records, 3), checkpoint_at(records, 7)]
    # Rewrite seq 6 onward and recompute every hash: the chain itself looks intact.
    forged, head = records[:5], records[4].head
    for n in range(6, 11):
        forged.append(append_record(head, {"id": f"forged-{n}"}))
        head = forged[-1].head
    result = verify_with_checkpoints(forged, checkpoints, KEY)
    assert (result.intact, result.first_bad) == (False, (0, 5))
    assert "seq 5 to 8" in result.reason


def test_checkpoint_with_a_bad_signature_is_refused():
    records = build(4)
    forged = sign_checkpoint(records[3].head, NOW, HmacKey(b"someone else's key"))
    result = verify_with_checkpoints(records, [forged], KEY)
    assert (result.intact, result.first_bad) == (False, (0, 4))
    assert "invalid signature" in result.reason


def test_checkpoint_edited_after_signing_is_refused():
    records = build(4)
    moved = replace(checkpoint_at(records, 3), seq=2, head_hash=records[1].hash)
    assert "invalid signature" in verify_with_checkpoints(records, [moved], KEY).reason


def test_chain_damage_is_reported_before_checkpoint_agreement():
    records = build(5)
    checkpoints = [checkpoint_at(records, 4)]
    del records[1]
    result = verify_with_checkpoints(records, checkpoints, KEY)
    assert result.first_bad == (0, 2)


def test_checkpoints_of_several_partitions_are_checked_each_against_its_own_chain():
    zero, one = build(4, partition=0), build(4, partition=1)
    checkpoints = [checkpoint_at(zero, 3), checkpoint_at(one, 3)]
    assert verify_with_checkpoints(zero + one, checkpoints, KEY).intact
    assert verify_with_checkpoints(zero + one[:2], checkpoints, KEY).first_bad == (1, 3)


def test_checkpoint_message_is_canonical_json_with_utc_time():
    local = datetime(2026, 11, 22, 23, 0, tzinfo=timezone(timedelta(hours=-5)))
    assert (
        checkpoint_message(1, 7, "ab" * 32, local)
        == (
            '{"head_hash":"' + "ab" * 32 + '","partition":1,"seq":7,'
            '"taken_at":"2026-11-23T04:00:00+00:00"}'
        ).encode()
    )


def test_signing_refuses_a_naive_time():
    with pytest.raises(ValueError):
        sign_checkpoint(ChainHead(0, 1, "0" * 64), datetime(2026, 11, 23), KEY)


def test_checkpoint_is_due_after_enough_records_or_enough_time():
    policy = CheckpointPolicy(every_records=100, every=timedelta(minutes=5))
    last = sign_checkpoint(ChainHead(0, 50, "0" * 64), NOW, KEY)
    assert checkpoint_is_due(None, ChainHead(0, 1, "1" * 64), NOW, policy)
    assert not checkpoint_is_due(None, ChainHead.genesis(0), NOW, policy)
    assert not checkpoint_is_due(last, ChainHead(0, 149, "1" * 64), NOW, policy)
    assert checkpoint_is_due(last, ChainHead(0, 150, "1" * 64), NOW, policy)
    assert checkpoint_is_due(last, ChainHead(0, 51, "1" * 64), NOW + timedelta(minutes=5), policy)
    assert not checkpoint_is_due(last, ChainHead(0, 50, "0" * 64), NOW + timedelta(hours=1), policy)

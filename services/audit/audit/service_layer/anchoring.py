"""Anchoring: sign quiet partitions and copy every checkpoint to the witness (`audit
checkpoint-worker`).

The consumer signs a partition's head inside its own transaction at least every second
while events flow. This pass, run every ``AUDIT_ANCHOR_POLL_SECONDS``, does the rest away
from the consumer's hot path: it signs a head that moved and whose newest checkpoint is
older than ``AUDIT_CHECKPOINT_SECONDS`` (a partition that went quiet), checks the records
since the last anchored checkpoint before vouching for them, writes each new checkpoint and
then the signed partition catalog to the witness, and publishes `audit.checkpoint.signed`.
Order: the database's row first, the witness next, so a crash in between is repaired by
the next pass, and the witness never holds a checkpoint the database did not.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from audit import events
from audit.adapters import chain_rows, chain_store
from audit.domain.anchors import checkpoint_document, checkpoint_is_genuine, sign_catalog
from audit.domain.chain import ChainHead
from audit.domain.checkpoints import Checkpoint, Signer, Verifier, sign_checkpoint
from audit.domain.integrity import Break, Evidence, judge_partition, walk_partition
from audit.domain.recognition import Recognition, Severity
from audit.service_layer.alerts import raise_alert
from audit.service_layer.witness import Witness
from servicekit.db import UnitOfWork
from servicekit.messaging.envelope import Event, Subject

log = logging.getLogger("audit.anchoring")

CHECKPOINT_SIGNED = events.CHECKPOINT_SIGNED.type
BROKEN_REASON = "audit_record_broken"


@dataclass(frozen=True)
class AnchorSettings:
    signer: Signer
    verifier: Verifier
    witness: Witness
    quiet: timedelta = timedelta(seconds=1)


@dataclass
class AnchorPass:
    signed: list[Checkpoint] = field(default_factory=list)
    anchored: list[Checkpoint] = field(default_factory=list)
    breaks: list[Break] = field(default_factory=list)


class Anchorer:
    """Keeps, between passes, how far each partition is anchored in the witness."""

    def __init__(self, settings: AnchorSettings) -> None:
        self.settings = settings
        self.anchored: dict[int, ChainHead] | None = None

    def run_once(self, uow: UnitOfWork, now: datetime) -> AnchorPass:
        if self.anchored is None:
            self.anchored = _anchored_heads(self.settings)
        done = AnchorPass()
        with uow:
            for head in chain_rows.stored_heads(uow.session, None).values():
                since = self.anchored.get(head.partition, ChainHead.genesis(head.partition))
                if head.seq > since.seq:
                    self._sign_partition(uow, head, since, now, done)
            uow.commit()
        for cp in sorted(done.anchored, key=lambda c: (c.partition, c.seq)):
            self.settings.witness.put_checkpoint(cp)
            newest = self.anchored.get(cp.partition)
            if newest is None or cp.seq > newest.seq:
                self.anchored[cp.partition] = ChainHead(cp.partition, cp.seq, cp.head_hash)
        if done.anchored:
            self.settings.witness.put_catalog(
                sign_catalog(self.anchored, now, self.settings.signer))
            with uow:
                for cp in done.anchored:
                    uow.publish(checkpoint_signed(cp))
                uow.commit()
        if done.breaks:
            raise_chain_alerts(uow, done.breaks)
        return done

    def _sign_partition(self, uow: UnitOfWork, head: ChainHead, since: ChainHead,
                        now: datetime, done: AnchorPass) -> None:
        """Check seq since+1..head, sign the head if quiet, and queue the checkpoints."""
        p, session = head.partition, uow.session
        own = chain_rows.stored_checkpoints(session, [p], after=since.seq, upto=head.seq)
        pending = [cp for cp in own.get(p, [])
                   if checkpoint_is_genuine(cp, self.settings.verifier)]
        records = chain_rows.stored_records(session, [p], after=since.seq, upto=head.seq)
        walk = walk_partition(p, records, {cp.seq for cp in pending}, start=since)
        evidence = Evidence(p, head, own.get(p, []), [])
        found = judge_partition(walk, evidence, self.settings.verifier, now=now,
                                grace=timedelta.max, received_at=lambda _seq: None)
        if found:
            done.breaks.append(found[0])
            return
        newest = pending[-1] if pending else None
        if newest is None or newest.seq < head.seq:
            last_taken = newest.taken_at if newest else _last_taken(session, p)
            if last_taken is None or now - last_taken >= self.settings.quiet:
                signed = sign_checkpoint(head, now, self.settings.signer)
                chain_store.add_checkpoint(session, signed)
                done.signed.append(signed)
                pending.append(signed)
        done.anchored.extend(pending)


def _anchored_heads(settings: AnchorSettings) -> dict[int, ChainHead]:
    newest: dict[int, ChainHead] = {}
    for cp in settings.witness.checkpoints():
        if not checkpoint_is_genuine(cp, settings.verifier):
            continue
        known = newest.get(cp.partition)
        if known is None or cp.seq > known.seq:
            newest[cp.partition] = ChainHead(cp.partition, cp.seq, cp.head_hash)
    return newest


def _last_taken(session: Session, partition: int) -> datetime | None:
    found = chain_rows.stored_checkpoints(session, [partition])
    return found[partition][-1].taken_at if found.get(partition) else None


def checkpoint_signed(cp: Checkpoint) -> Event:
    """`audit.checkpoint.signed`: a copy of the checkpoint for every reader of the bus."""
    return events.CHECKPOINT_SIGNED.event(
        subject=Subject("audit_partition", str(cp.partition)), org_id=None,
        data=checkpoint_document(cp))


def raise_chain_alerts(uow: UnitOfWork, breaks: list[Break],
                       new_id: Callable[[], str] = lambda: str(uuid.uuid4())) -> list[str]:
    """A critical alert per broken partition and kind (repeats wait for its resolution)."""
    raised = []
    with uow:
        for found in breaks:
            finding = Recognition(
                recognized=False, reason=BROKEN_REASON, severity=Severity.CRITICAL,
                message=f"The audit record is broken: {found.reason}.",
                note=f"kind {found.kind.value}, partition {found.partition}, seq {found.seq}; "
                     "run `audit verify` and compare the database with the witness")
            alert_id = raise_alert(uow, finding, org_id=None,
                                   subject_key=f"chain:{found.partition}:{found.kind.value}",
                                   profile_id=None, trigger={"id": new_id()})
            if alert_id:
                raised.append(alert_id)
                log.critical("audit record broken", extra={"partition": found.partition,
                                                           "kind": found.kind.value})
        uow.commit()
    return raised

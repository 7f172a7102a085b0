"""`audit verify` and GET /verify: the stored record against its checkpoints and the witness."""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from audit.adapters import chain_rows
from audit.domain.anchors import PartitionCatalog, catalog_is_genuine
from audit.domain.chain import ChainHead, partition_for
from audit.domain.checkpoints import Checkpoint, Verifier
from audit.domain.integrity import (
    Break,
    BreakKind,
    Evidence,
    Walk,
    as_reordered,
    fits_elsewhere,
    judge_partition,
    walk_partition,
)
from audit.domain.scope import Scope
from audit.service_layer.errors import WitnessUnreadable
from audit.service_layer.witness import Witness, WitnessUnavailable
from servicekit.db import UnitOfWork


@dataclass(frozen=True)
class PartitionBreak:
    """The first break of one partition."""

    partition: int
    chain_seq: int
    kind: str
    reason: str
    event_id: str | None = None  # None when the record there was deleted
    record_seq: int | None = None
    also: tuple[str, ...] = ()  # the kinds of the partition's later breaks


@dataclass(frozen=True)
class ChainReport:
    """The answer of `audit verify` and GET /verify; the top fields name the first break."""

    intact: bool
    reason: str
    partition: int | None = None
    chain_seq: int | None = None
    event_id: str | None = None
    record_seq: int | None = None
    records_checked: int = 0
    kind: str | None = None
    breaks: tuple[PartitionBreak, ...] = ()
    witness: str | None = None  # None: checked against the database's own checkpoints only


@dataclass(frozen=True)
class VerifySettings:
    verifier: Verifier
    witness: Witness
    partitions: int
    grace: timedelta


def verify_record(uow: UnitOfWork, scope: Scope, settings: VerifySettings) -> ChainReport:
    """Vendor security checks every chain; a practice checks the chain its records are in,
    and sees no other practice's event ids (a chain is shared with other practices)."""
    partitions = None
    if not scope.all_practices:
        partitions = [partition_for(str(scope.org_id), settings.partitions)]
    try:
        with uow:
            report = verify_stored_chain(uow.session, settings.verifier, partitions,
                                         witness=settings.witness, grace=settings.grace)
    except WitnessUnavailable:
        raise WitnessUnreadable("The audit witness cannot be read right now, so the record "
                                "cannot be verified; try again in a few minutes.") from None
    if scope.all_practices:
        return report
    return replace(report, event_id=None, record_seq=None, breaks=tuple(
        replace(b, event_id=None, record_seq=None) for b in report.breaks))


def verify_stored_chain(
    session: Session, verifier: Verifier, partitions: Iterable[int] | None = None,
    *, witness: Witness | None = None, now: datetime | None = None,
    grace: timedelta = timedelta(minutes=2),
) -> ChainReport:
    """Walk every chain; compare it with its head, its checkpoints and the witness.

    Raises ``WitnessUnavailable`` when the witness cannot be read: without it, nothing
    can be said about a cut-off, rolled-back or deleted partition.
    """
    wanted = sorted(set(partitions)) if partitions is not None else None
    now = now or datetime.now(UTC)
    witnessed: dict[int, list[Checkpoint]] = defaultdict(list)
    catalog: PartitionCatalog | None = None
    if witness is not None:
        for cp in witness.checkpoints():
            if wanted is None or cp.partition in wanted:
                witnessed[cp.partition].append(cp)
        catalog = witness.latest_catalog()
    own = chain_rows.stored_checkpoints(session, wanted)
    heads = chain_rows.stored_heads(session, wanted)
    catalog_heads, catalog_breaks = _catalog(catalog, verifier, wanted)
    known = set(own) | set(heads) | set(witnessed) | set(catalog_heads)

    breaks: list[Break] = list(catalog_breaks)
    later: dict[int, tuple[str, ...]] = {}
    checked = 0
    walked: set[int] = set()

    def judge(walk: Walk) -> None:
        p = walk.partition
        evidence = Evidence(p, heads.get(p), own.get(p, []), witnessed.get(p, []),
                            catalog_heads.get(p))
        found = judge_partition(
            walk, evidence, verifier, now=now, grace=grace if witness else timedelta.max,
            received_at=lambda seq: chain_rows.received_at(session, p, seq))
        if found:
            breaks.append(_classified(session, found[0]))
            later[p] = tuple(dict.fromkeys(b.kind.value for b in found[1:]))

    records = chain_rows.stored_records(session, wanted)
    for partition, group in itertools.groupby(records, key=lambda r: r.partition):
        seqs = {cp.seq for cp in [*own.get(partition, []), *witnessed.get(partition, [])]}
        if partition in catalog_heads:
            seqs.add(catalog_heads[partition].seq)
        walk = walk_partition(partition, group, seqs)
        checked += walk.records
        walked.add(partition)
        judge(walk)
    for partition in sorted(known - walked):
        judge(Walk(partition, ChainHead.genesis(partition)))
    return _report(session, breaks, later, checked, witness)


def _catalog(catalog: PartitionCatalog | None, verifier: Verifier,
             wanted: list[int] | None) -> tuple[dict[int, ChainHead], list[Break]]:
    if catalog is None:
        return {}, []
    heads = {p: h for p, h in catalog.heads.items() if wanted is None or p in wanted}
    if catalog_is_genuine(catalog, verifier):
        return heads, []
    return {}, [Break(p, h.seq, BreakKind.CHECKPOINT_FORGED,
                      f"partition {p}: the witness's newest catalog (signed "
                      f"{catalog.taken_at.isoformat()}) has an invalid signature")
                for p, h in heads.items()]


def _classified(session: Session, found: Break) -> Break:
    """An altered record whose content belongs at another place was moved, not edited."""
    if found.kind != BreakKind.EDITED or "content does not match" not in found.reason:
        return found
    event = chain_rows.envelope_at(session, found.partition, found.seq)
    if event is None:
        return found
    origin = fits_elsewhere(event, found.partition,
                            chain_rows.places(session, found.partition), found.seq)
    return found if origin is None else as_reordered(found, origin)


def _report(session: Session, breaks: list[Break], later: dict[int, tuple[str, ...]],
            checked: int, witness: Witness | None) -> ChainReport:
    where = witness.where if witness is not None else None
    if not breaks:
        return ChainReport(True, "intact", records_checked=checked, witness=where)
    firsts: dict[int, Break] = {}
    for found in sorted(breaks, key=lambda b: b.seq):
        firsts.setdefault(found.partition, found)
    named = []
    for found in sorted(firsts.values(), key=lambda b: b.partition):
        place = chain_rows.record_at(session, found.partition, found.seq)
        also = tuple(k for k in later.get(found.partition, ()) if k != found.kind.value)
        named.append(PartitionBreak(found.partition, found.seq, found.kind.value, found.reason,
                                    place[1] if place else None, place[0] if place else None,
                                    also))
    first = named[0]
    return ChainReport(False, first.reason, first.partition, first.chain_seq, first.event_id,
                       first.record_seq, checked, first.kind, tuple(named), where)

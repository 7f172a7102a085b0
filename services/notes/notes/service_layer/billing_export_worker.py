"""`notes billing-export`: sends pending billing exports, with backoff, never twice.

Each export is claimed in a short transaction of its own (``FOR UPDATE SKIP LOCKED`` on
PostgreSQL) that counts the attempt and schedules the next one before anything is sent: no
lock is held while the billing system answers, another worker leaves it alone until the
backoff has passed, and a worker that dies mid-send leaves it to be tried again. Every send
carries the export's id as its idempotency key, so the receiver recognizes a repeat after a
crash between sending and recording; the export is recorded sent, and its
``notes.note.exported_to_billing`` event written, once.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from prometheus_client import Counter

from notes.adapters.billing_exports import FAILED, PENDING, SENT, BillingExports
from notes.domain.billing_export import gives_up, retry_delay
from notes.events.notes import NOTE_EXPORTED_TO_BILLING
from servicekit.db import UnitOfWork
from servicekit.messaging.envelope import Actor, Subject
from servicekit.workers import poll_until_stopped

log = logging.getLogger("notes.billing_export")
sends = Counter("notes_billing_exports_total", "Billing export sends tried, by outcome.",
                ["outcome"])
WORKER = Actor(id="notes-billing-export", kind="system")
PASS_LIMIT = 200


class BillingSender(Protocol):
    """Hands one export to the billing system; raises when it did not take it."""

    @property
    def where(self) -> str: ...

    def send(self, export_id: str, document: dict[str, Any]) -> None: ...


@dataclass(frozen=True)
class ExportSettings:
    sender: BillingSender
    max_attempts: int = 8


@dataclass(frozen=True)
class ExportPass:
    sent: int = 0
    failed: int = 0  # to be tried again
    given_up: int = 0


def export_due(uow: UnitOfWork, settings: ExportSettings, clock: Callable[[], datetime],
               *, limit: int = PASS_LIMIT) -> ExportPass:
    """Try every export that is due once; count what was sent, failed, given up."""
    counts = {"sent": 0, "failed": 0, "given_up": 0}
    tried: set[str] = set()
    while len(tried) < limit and (row := claim_next(uow, clock(), tried)) is not None:
        tried.add(row["id"])
        error = send(settings.sender, row)
        outcome = settle(uow, settings, row, error, clock())
        sends.labels(outcome=outcome).inc()
        counts[outcome] = counts.get(outcome, 0) + 1
    return ExportPass(counts["sent"], counts["failed"], counts["given_up"])


def run_billing_export(uow: UnitOfWork, settings: ExportSettings,
                       clock: Callable[[], datetime], stop: threading.Event, *,
                       poll_seconds: float) -> None:
    """Send what is due every ``poll_seconds`` until ``stop``; outlive database outages."""

    def one_pass() -> None:
        done = export_due(uow, settings, clock)
        if done.failed or done.given_up:
            log.warning("billing exports failed", extra={"failed": done.failed,
                                                         "given_up": done.given_up})

    poll_until_stopped(one_pass, stop, poll_seconds=poll_seconds, what="billing export")


def claim_next(uow: UnitOfWork, now: datetime, tried: set[str]) -> dict[str, Any] | None:
    """Count an attempt on the next due export and schedule the one after, then commit."""
    with uow:
        exports = BillingExports(uow.session)
        row = exports.claim_next(now, tried)
        if row is None:
            return None
        attempts = row["attempts"] + 1
        exports.set(row["id"], attempts=attempts, next_attempt_at=now + retry_delay(attempts))
        uow.commit()
    return {**row, "attempts": attempts}


def send(sender: BillingSender, row: dict[str, Any]) -> str | None:
    """None when the billing system took it, else why not (no bodies, no secrets)."""
    try:
        sender.send(row["id"], row["payload"])
    except Exception as err:  # noqa: BLE001 - every failure is retried, then given up
        return str(err)[:200] or type(err).__name__
    return None


def settle(uow: UnitOfWork, settings: ExportSettings, row: dict[str, Any], error: str | None,
           now: datetime) -> str:
    if error is None:
        values, outcome = {"status": SENT, "sent_at": now, "next_attempt_at": None,
                           "last_error": None}, "sent"
    elif gives_up(row["attempts"], settings.max_attempts):
        values, outcome = {"status": FAILED, "next_attempt_at": None,
                           "last_error": error}, "given_up"
    else:
        values, outcome = {"last_error": error}, "failed"
    with uow:
        changed = BillingExports(uow.session).set(row["id"], only_if=PENDING, **values)
        if changed and outcome == "sent":
            uow.publish(exported_event(row, settings.sender.where))
        uow.commit()
    if outcome != "sent":
        log.warning("billing export not sent", extra={
            "export_id": row["id"], "attempts": row["attempts"],
            "given_up": outcome == "given_up", "error": error})
    return outcome


def exported_event(row: dict[str, Any], where: str) -> Any:
    return NOTE_EXPORTED_TO_BILLING.event(
        subject=Subject("note", row["note_id"]),
        org_id=row["org_id"], actor=WORKER, patient_id=row["patient_id"],
        data={"export_id": row["id"], "integration": row["integration"],
              "provider_id": row["finalized_by_id"], "attempts": row["attempts"],
              "destination": "http" if where.startswith(("http://", "https://")) else "folder"})


def retry_failed(uow: UnitOfWork, export_id: str, now: datetime) -> bool:
    """An operator gives a failed export its attempts again; False if it is not failed."""
    with uow:
        changed = BillingExports(uow.session).set(
            export_id, only_if=FAILED, status=PENDING, attempts=0, next_attempt_at=now)
        uow.commit()
    return changed

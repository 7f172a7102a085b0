"""`audit alert-push`: delivers the outbox of alert mails and webhook calls, with backoff.

Each delivery is claimed in a short transaction of its own (``FOR UPDATE SKIP LOCKED``) that
counts the attempt and schedules the next one before anything is sent, so no lock is held
while talking to a mail server or a webhook, a second worker leaves it alone until the
backoff has passed, and a worker that dies mid-send leaves it to be tried again.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from prometheus_client import Counter

from audit.adapters.alert_push_store import AlertPushStore
from audit.domain.alert_push import MAIL, is_dead, mail_text, retry_delay
from servicekit.db import UnitOfWork
from servicekit.workers import poll_until_stopped

log = logging.getLogger("audit.alert_push")
pushes = Counter("audit_alert_pushes_total", "Alert deliveries tried, by channel and outcome.",
                 ["channel", "outcome"])
PASS_LIMIT = 200
SENDERS = 4  # deliveries in flight at once, per worker process


class Webhooks(Protocol):
    def post(self, url: str, secret: str, body: bytes, *, delivery_id: int,
             timestamp: int) -> None: ...


class Mailer(Protocol):
    def message(self, to: str, subject: str, body: str) -> Any: ...
    def send(self, message: Any) -> None: ...


@dataclass(frozen=True)
class PushSettings:
    webhooks: Webhooks
    mailer: Mailer
    alerts_url: str
    max_attempts: int = 8


@dataclass(frozen=True)
class PushPass:
    delivered: int = 0
    failed: int = 0
    dead: int = 0


@dataclass(frozen=True)
class _Claimed:
    row: dict[str, Any]
    url: str | None
    secret: str | None


def push_due(uow: UnitOfWork, settings: PushSettings, clock: Callable[[], datetime],
             *, limit: int = PASS_LIMIT) -> PushPass:
    """Try every delivery that is due once; count what was delivered, failed, went dead."""
    delivered = failed = dead = 0
    tried: set[int] = set()
    while len(tried) < limit and (claimed := _claim_next(uow, clock(), tried)) is not None:
        tried.add(claimed.row["id"])
        error = _send(settings, claimed, clock())
        outcome = _settle(uow, settings, claimed.row, error, clock())
        pushes.labels(channel=claimed.row["channel"], outcome=outcome).inc()
        delivered += outcome == "delivered"
        failed += outcome == "failed"
        dead += outcome == "dead"
    return PushPass(delivered, failed, dead)


def run_alert_push(uow: UnitOfWork, settings: PushSettings, clock: Callable[[], datetime],
                   stop: threading.Event, *, poll_seconds: float,
                   senders: int = SENDERS) -> None:
    """Deliver what is due every ``poll_seconds`` until ``stop``; outlive database outages.

    ``senders`` threads claim deliveries side by side (a claim moves the delivery's next
    attempt on, under SKIP LOCKED), so one slow webhook or mail server delays no other.
    """

    def sender(own: UnitOfWork) -> None:
        def one_pass() -> None:
            done = push_due(own, settings, clock)
            if done.failed or done.dead:
                log.warning("alert pushes failed", extra={"failed": done.failed,
                                                          "dead": done.dead})

        poll_until_stopped(one_pass, stop, poll_seconds=poll_seconds, what="alert push")

    others = [threading.Thread(target=sender, args=(uow.another(),), daemon=True,
                               name=f"alert-push-{n}") for n in range(1, max(1, senders))]
    for thread in others:
        thread.start()
    sender(uow)
    for thread in others:
        thread.join(timeout=30)


def _claim_next(uow: UnitOfWork, now: datetime, tried: set[int]) -> _Claimed | None:
    with uow:
        store = AlertPushStore(uow.session)
        row = store.claim_next(now, tried)
        if row is None:
            return None
        attempts = row["attempts"] + 1
        store.update_delivery(row["id"], attempts=attempts,
                              next_attempt_at=now + retry_delay(attempts))
        hook = store.webhook(row["org_id"])
        uow.commit()
    return _Claimed({**row, "attempts": attempts}, hook and hook["url"], hook and hook["secret"])


def _send(settings: PushSettings, claimed: _Claimed, now: datetime) -> str | None:
    """None when delivered, else why not (no secrets, no bodies)."""
    row = claimed.row
    try:
        if row["channel"] == MAIL:
            subject, text = mail_text(json.loads(row["body"])["alert"], settings.alerts_url)
            settings.mailer.send(settings.mailer.message(row["target"], subject, text))
        elif claimed.url is None or claimed.secret is None:
            return "the practice removed its webhook"
        else:
            settings.webhooks.post(claimed.url, claimed.secret, row["body"].encode(),
                                   delivery_id=row["id"], timestamp=int(now.timestamp()))
    except Exception as err:  # noqa: BLE001 - every failure is retried, then dead-lettered
        return str(err)[:200] or type(err).__name__
    return None


def _settle(uow: UnitOfWork, settings: PushSettings, row: dict[str, Any], error: str | None,
            now: datetime) -> str:
    if error is None:
        values, outcome = {"delivered_at": now, "next_attempt_at": None}, "delivered"
    elif is_dead(row["attempts"], settings.max_attempts):
        values, outcome = {"dead_at": now, "next_attempt_at": None, "last_error": error}, "dead"
    else:
        values, outcome = {"last_error": error}, "failed"
    with uow:
        AlertPushStore(uow.session).update_delivery(row["id"], **values)
        uow.commit()
    if outcome != "delivered":
        log.warning("alert push not delivered", extra={
            "delivery_id": row["id"], "channel": row["channel"], "attempts": row["attempts"],
            "dead": outcome == "dead", "error": error})
    return outcome

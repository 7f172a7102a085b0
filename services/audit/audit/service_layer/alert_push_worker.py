"""`audit alert-push`: calls the practices' webhooks from `alert_deliveries` and sends audit's
mail outbox (the alert mails), each with backoff.

Each delivery is claimed in a short transaction of its own (``FOR UPDATE SKIP LOCKED``) that
counts the attempt and schedules the next one before anything is sent, so no lock is held
while talking to a webhook, a second worker leaves it alone until the backoff has passed, and
a worker that dies mid-send leaves it to be tried again. The mails go the same way through
``servicekit.mail_delivery``. A mail row left in `alert_deliveries` from before migration 0010
is handed over to the mail outbox when it is claimed.
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

from audit.adapters.alert_mail import MAIL_OUTBOX, AlertMailSettings
from audit.adapters.alert_push_store import AlertPushStore
from audit.domain.alert_push import MAIL, is_dead, retry_delay
from audit.service_layer.alert_push import queue_alert_mail
from servicekit.db import UnitOfWork
from servicekit.mail_delivery import DeliveryPass, Mailer, deliver_due, run_mail_outbox
from servicekit.workers import poll_until_stopped

log = logging.getLogger("audit.alert_push")
pushes = Counter("audit_alert_pushes_total", "Alert deliveries tried, by channel and outcome.",
                 ["channel", "outcome"])
PASS_LIMIT = 200
SENDERS = 4  # deliveries in flight at once, per worker process


class Webhooks(Protocol):
    def post(self, url: str, secret: str, body: bytes, *, delivery_id: int,
             timestamp: int) -> None: ...


@dataclass(frozen=True)
class PushSettings:
    webhooks: Webhooks
    mailer: Mailer  # sends the mail outbox
    mail: AlertMailSettings  # composes a mail handed over from alert_deliveries
    max_attempts: int = 8  # webhook calls; mails follow the mail outbox's backoff


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
        if claimed.row["channel"] == MAIL:
            outcome = _hand_over_mail(uow, settings, claimed.row, clock())
        else:
            error = _send(settings, claimed, clock())
            outcome = _settle(uow, settings, claimed.row, error, clock())
        pushes.labels(channel=claimed.row["channel"], outcome=outcome).inc()
        delivered += outcome in ("delivered", "handed_over")
        failed += outcome == "failed"
        dead += outcome == "dead"
    return PushPass(delivered, failed, dead)


def send_alert_mails(uow: UnitOfWork, settings: PushSettings, clock: Callable[[], datetime]
                     ) -> DeliveryPass:
    """Try once every alert mail of the mail outbox that is due."""
    return deliver_due(uow, MAIL_OUTBOX, settings.mailer, clock)


def run_alert_push(uow: UnitOfWork, settings: PushSettings, clock: Callable[[], datetime],
                   stop: threading.Event, *, poll_seconds: float,
                   senders: int = SENDERS) -> None:
    """Deliver what is due every ``poll_seconds`` until ``stop``; outlive database outages.

    ``senders`` threads claim webhook deliveries side by side (a claim moves the delivery's
    next attempt on, under SKIP LOCKED), so one slow webhook delays no other; one more thread
    sends the mail outbox, so a slow mail server delays no webhook.
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
    others.append(threading.Thread(target=run_mail_outbox, args=(
        uow.another(), MAIL_OUTBOX, settings.mailer, clock, stop), kwargs={
        "poll_seconds": poll_seconds}, daemon=True, name="alert-mail"))
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
    url, secret = (hook["url"], hook["secret"]) if hook is not None else (None, None)
    return _Claimed({**row, "attempts": attempts}, url, secret)


def _send(settings: PushSettings, claimed: _Claimed, now: datetime) -> str | None:
    """None when delivered, else why not (no secrets, no bodies)."""
    row = claimed.row
    try:
        if claimed.url is None or claimed.secret is None:
            return "the practice removed its webhook"
        else:
            settings.webhooks.post(claimed.url, claimed.secret, row["body"].encode(),
                                   delivery_id=row["id"], timestamp=int(now.timestamp()))
    except Exception as err:  # noqa: BLE001 - every failure is retried, then dead-lettered
        return str(err)[:200] or type(err).__name__
    return None


def _hand_over_mail(uow: UnitOfWork, settings: PushSettings, row: dict[str, Any],
                    now: datetime) -> str:
    """A mail row from before the mail outbox: queued there, and delivered here."""
    with uow:
        queue_alert_mail(uow.session, row["event_id"], row["target"] or "",
                         json.loads(row["body"])["alert"], settings.mail, now)
        AlertPushStore(uow.session).update_delivery(
            row["id"], delivered_at=now, next_attempt_at=None,
            last_error="handed over to the mail outbox")
        uow.commit()
    return "handed_over"


def _settle(uow: UnitOfWork, settings: PushSettings, row: dict[str, Any], error: str | None,
            now: datetime) -> str:
    values: dict[str, Any]
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

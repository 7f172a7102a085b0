"""Storing the activity counters, notification choices, owed notification mails and the
digests sent."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from identity.adapters.activity_tables import (
    activity_counts,
    notification_mails,
    notification_preferences,
    sent_digests,
    share_senders,
)
from identity.adapters.tables import practices
from identity.domain.activity import Tally
from identity.domain.digests import Figure, Period
from identity.domain.notifications import Choices
from servicekit.db import insert_on_conflict

PRACTICE_WIDE = ""  # the user_id of a practice's own counters


def practice_exists(session: Session, practice_id: str) -> bool:
    return session.execute(select(practices.c.id).where(practices.c.id == practice_id)
                           ).first() is not None


class ActivityCounts:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, org_id: str, user_id: str | None, tally: Tally) -> None:
        """Add the tally to the practice's day, and to the person's when it names one."""
        for who in {PRACTICE_WIDE, user_id or PRACTICE_WIDE}:
            statement = insert_on_conflict(self.session, activity_counts).values(
                org_id=org_id, user_id=who, day=tally.day, metric=tally.metric,
                currency=tally.currency, count=tally.count, value_cents=tally.value_cents)
            self.session.execute(statement.on_conflict_do_update(
                index_elements=["org_id", "user_id", "day", "metric", "currency"],
                set_={"count": activity_counts.c.count + statement.excluded.count,
                      "value_cents": activity_counts.c.value_cents
                      + statement.excluded.value_cents}))

    def by_person(self, org_id: str, period: Period) -> dict[str, dict[str, Figure]]:
        """Each person's (and, under "", the practice's) figures over the period."""
        c = activity_counts.c
        rows = self.session.execute(
            select(c.user_id, c.metric, c.currency, func.sum(c.count), func.sum(c.value_cents))
            .where(c.org_id == org_id, c.day >= period.start, c.day <= period.end)
            .group_by(c.user_id, c.metric, c.currency)).all()
        counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        values: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
        for user_id, metric, currency, count, cents in rows:
            counts[user_id][metric] += int(count)
            if cents:
                values[user_id][metric][currency] = int(cents)
        return {user: {metric: Figure(n, values[user].get(metric, {}))
                       for metric, n in metrics.items()} for user, metrics in counts.items()}

    def remember_share_sender(self, share_id: str, org_id: str, user_id: str) -> None:
        statement = insert_on_conflict(self.session, share_senders).values(
            share_id=share_id, org_id=org_id, user_id=user_id)
        self.session.execute(statement.on_conflict_do_nothing())

    def share_sender(self, org_id: str, share_id: str) -> str | None:
        return self.session.execute(select(share_senders.c.user_id).where(
            share_senders.c.share_id == share_id, share_senders.c.org_id == org_id)
        ).scalar_one_or_none()


class NotificationPreferences:
    def __init__(self, session: Session) -> None:
        self.session = session

    def stored(self, user_id: str) -> Choices | None:
        row = self.session.execute(select(notification_preferences).where(
            notification_preferences.c.user_id == user_id)).mappings().one_or_none()
        if row is None:
            return None
        return Choices(frozenset(row["notifications"]), frozenset(row["digests"]))

    def save(self, user_id: str, org_id: str, choices: Choices, now: datetime) -> None:
        values = {"notifications": sorted(choices.notifications),
                  "digests": sorted(choices.digests), "updated_at": now}
        statement = insert_on_conflict(self.session, notification_preferences).values(
            user_id=user_id, org_id=org_id, **values)
        self.session.execute(statement.on_conflict_do_update(index_elements=["user_id"],
                                                             set_=values))


@dataclass(frozen=True)
class OwedMail:
    event_id: str
    user_id: str
    org_id: str
    event_type: str
    facts: dict[str, Any]
    attempts: int


class NotificationMails:
    def __init__(self, session: Session) -> None:
        self.session = session

    def owe(self, event_id: str, user_id: str, org_id: str, event_type: str,
            facts: dict[str, Any], now: datetime) -> None:
        """Owe the person this mail; owing it a second time changes nothing."""
        statement = insert_on_conflict(self.session, notification_mails).values(
            event_id=event_id, user_id=user_id, org_id=org_id, event_type=event_type,
            facts=facts, created_at=now, attempts=0)
        self.session.execute(statement.on_conflict_do_nothing())

    def next_due(self, now: datetime, skip: Collection[tuple[str, str]] = ()) -> OwedMail | None:
        """The oldest mail not sent and due, locked for this sender (SKIP LOCKED)."""
        m = notification_mails.c
        query = (select(notification_mails)
                 .where(m.sent_at.is_(None),
                        m.next_attempt_at.is_(None) | (m.next_attempt_at <= now))
                 .order_by(m.created_at, m.event_id, m.user_id).limit(len(skip) + 1)
                 .with_for_update(skip_locked=True))
        for row in self.session.execute(query).mappings():
            if (row["event_id"], row["user_id"]) not in skip:
                return OwedMail(row["event_id"], row["user_id"], row["org_id"],
                                row["event_type"], dict(row["facts"]), row["attempts"])
        return None

    def schedule_attempt(self, mail: OwedMail, next_attempt_at: datetime) -> None:
        self._update(mail, attempts=mail.attempts + 1, next_attempt_at=next_attempt_at)

    def mark_sent(self, mail: OwedMail, now: datetime) -> None:
        self._update(mail, sent_at=now)

    def sent_to(self, event_id: str) -> list[str]:
        return list(self.session.execute(select(notification_mails.c.user_id).where(
            notification_mails.c.event_id == event_id)).scalars())

    def _update(self, mail: OwedMail, **values: Any) -> None:
        self.session.execute(update(notification_mails).where(
            notification_mails.c.event_id == mail.event_id,
            notification_mails.c.user_id == mail.user_id).values(**values))


class SentDigests:
    def __init__(self, session: Session) -> None:
        self.session = session

    def claim(self, user_id: str, digest: str, period: Period, org_id: str,
              now: datetime) -> bool:
        """Claim this person's digest for the period; False if it was claimed before."""
        statement = insert_on_conflict(self.session, sent_digests).values(
            user_id=user_id, digest=digest, period_start=period.start, org_id=org_id,
            period_end=period.end, sent_at=now, delivered=False)
        done = self.session.execute(statement.on_conflict_do_nothing()
                                    .returning(sent_digests.c.user_id))
        return done.first() is not None

    def mark_delivered(self, user_id: str, digest: str, start: date) -> None:
        self.session.execute(update(sent_digests).where(*self._key(user_id, digest, start))
                             .values(delivered=True))

    def release(self, user_id: str, digest: str, start: date) -> None:
        """The mail server refused it: the next pass may try this period again."""
        self.session.execute(delete(sent_digests).where(*self._key(user_id, digest, start)))

    @staticmethod
    def _key(user_id: str, digest: str, start: date) -> tuple[Any, ...]:
        c = sent_digests.c
        return c.user_id == user_id, c.digest == digest, c.period_start == start

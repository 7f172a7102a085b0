"""Sending the digests: ``identity mail-worker`` when a period ends, ``identity digests send
--now`` for the period in course.

Each (person, digest, period) is claimed in sent_digests (its key) and queued in the mail
outbox under that key in the same transaction, so no digest is ever mailed twice (by two
workers, or by the worker and the command) and none is lost: it is sent at once, and a digest
the mail server refuses stays in the mail outbox, which ``identity mail-worker`` retries with
backoff. Once it goes, its sent_digests row is marked delivered.

Two senders of one period at the same moment (the command while the mail worker sends what
it just queued, or two commands) are not a failure: a digest another sender claimed, or whose
queued mail another sender is sending or has sent, counts as already sent.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from identity.adapters.activity_mail import ActivityMailer, DigestMail
from identity.adapters.activity_repository import ActivityCounts, SentDigests
from identity.adapters.mail_outbox import DIGEST, MAIL_OUTBOX, digest_key
from identity.adapters.practice_settings_repository import PracticeSettingsRepository
from identity.adapters.tables import practices
from identity.domain.catalog import UserTypeCatalog
from identity.domain.digests import (
    PRACTICE_DIGEST,
    PRACTITIONER_DIGEST,
    Figure,
    Period,
    digests_for,
    figure_lines,
    frequency_of,
    last_ended_period,
    period_in_course,
)
from identity.domain.practice_settings import SettingsArea, current_settings
from identity.domain.role_profiles import load_role_profiles
from identity.service_layer.mail_queue import queue_mail
from identity.service_layer.notifications import Person, people_of
from servicekit.db import UnitOfWork
from servicekit.mail_delivery import deliver_due

log = logging.getLogger("identity.digests")


@dataclass(frozen=True)
class DigestPass:
    sent: int = 0
    failed: int = 0
    already_sent: int = 0

    def __add__(self, other: DigestPass) -> DigestPass:
        return DigestPass(self.sent + other.sent, self.failed + other.failed,
                          self.already_sent + other.already_sent)


def send_due_digests(uow: UnitOfWork, mailer: ActivityMailer, catalog: UserTypeCatalog,
                     now: datetime, *, in_course: bool = False) -> DigestPass:
    """Every practice's due digests: the periods just ended, or (``in_course``) the ones
    running now, up to now."""
    with uow:
        practice_ids = list(uow.session.execute(select(practices.c.id)).scalars())
    done = DigestPass()
    for practice_id in practice_ids:
        done += _practice_digests(uow, mailer, catalog, practice_id, now, in_course)
    return done


def _practice_digests(uow: UnitOfWork, mailer: ActivityMailer, catalog: UserTypeCatalog,
                      practice_id: str, now: datetime, in_course: bool) -> DigestPass:
    try:
        keys = _queued(uow, mailer, catalog, practice_id, now, in_course)
    except IntegrityError:
        # Another sender claimed one of these digests in the same instant and the database
        # reported the clash rather than waiting: a second look finds its claims made.
        log.info("digests claimed by another sender meanwhile; looking again",
                 extra={"practice_id": practice_id})
        keys = _queued(uow, mailer, catalog, practice_id, now, in_course)
    done = DigestPass()
    for key in keys:
        done += DigestPass(already_sent=1) if key is None else _send_queued(uow, mailer, key,
                                                                            now)
    return done


def _send_queued(uow: UnitOfWork, mailer: ActivityMailer, key: str, now: datetime
                 ) -> DigestPass:
    """Send the digest just queued under ``key``. When no attempt was ours to make, another
    sender (the mail worker) took it from the outbox: it is sent, or in that sender's hands."""
    try:
        tried = deliver_due(uow, MAIL_OUTBOX, mailer, lambda: max(now, datetime.now(UTC)),
                            limit=1, key=key)
    except Exception as err:  # noqa: BLE001 - the digest is queued; the mail worker sends it
        log.warning("digest not sent at once; the mail worker sends it",
                    extra={"error": type(err).__name__})
        return DigestPass(failed=1)
    if tried.sent:
        return DigestPass(sent=1)
    if tried.failed or tried.given_up:
        return DigestPass(failed=1)  # the mail worker sends it once the server is back
    return DigestPass(already_sent=1)


def _queued(uow: UnitOfWork, mailer: ActivityMailer, catalog: UserTypeCatalog,
            practice_id: str, now: datetime, in_course: bool) -> list[str | None]:
    """Claim and queue each due digest of the practice (committed), composed with its
    figures; its mail outbox key, or None for one claimed before."""
    with uow:
        session = uow.session
        frequency = current_settings(SettingsArea.DIGESTS, PracticeSettingsRepository(
            session).stored(practice_id, SettingsArea.DIGESTS.value))["frequency"]
        practice_name = session.execute(select(practices.c.name).where(
            practices.c.id == practice_id)).scalar_one()
        people = list(people_of(session, practice_id, catalog))
        sent, counts = SentDigests(session), ActivityCounts(session)
        figures: dict[Period, dict[str, dict[str, Figure]]] = {}
        found: list[str | None] = []
        for someone in people:
            for digest in sorted(digests_for(someone.profile, someone.choices)):
                when = period_in_course if in_course else last_ended_period
                period = when(frequency_of(digest, frequency), now.date())
                if not sent.claim(someone.user.id, digest, period, practice_id, now):
                    found.append(None)
                    continue
                if period not in figures:
                    figures[period] = counts.by_person(practice_id, period)
                mail = _mail(someone, digest, period, practice_name, people, figures[period])
                key = digest_key(someone.user.id, digest, period.start)
                if queue_mail(session, partial(mailer.digest_message, mail), key=key,
                              kind=DIGEST, now=now):
                    found.append(key)
        uow.commit()
    return found


def _mail(someone: Person, digest: str, period: Period, practice_name: str,
          people: list[Person], figures: dict[str, dict[str, Figure]]) -> DigestMail:
    own = figures.get("" if digest == PRACTICE_DIGEST else someone.user.id, {})
    by_person: list[tuple[str, list[str]]] = []
    if digest == PRACTICE_DIGEST:
        by_person = [(p.user.full_name, figure_lines(PRACTITIONER_DIGEST, figures[p.user.id]))
                     for p in people if figures.get(p.user.id)]
    return DigestMail(
        to=someone.user.email, full_name=someone.user.full_name,
        digest_name=load_role_profiles().digests[digest].name, practice_name=practice_name,
        period_start=period.start, period_end=period.end,
        lines=figure_lines(digest, own), by_person=by_person)

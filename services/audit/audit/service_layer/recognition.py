"""Profile recognition on identity's events, whatever order they arrive in.

Each event updates the projection (``projections.py``), then every judgement the new fact
could change is made again from the projection (``judgements.py``) and settled
(``verdicts.py``): a verdict that becomes unrecognized raises its alert, one that stops
being unrecognized resolves it (by the system, with its history). A judgement missing a
fact is undecided and raises nothing until the fact arrives.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit.adapters.tables import (
    audit_events,
    known_invitations,
    known_practices,
    known_profiles,
    profile_statements,
    vendor_entries,
)
from audit.domain.identity_events import (
    DomainsSeen,
    GrantSeen,
    GrantUsed,
    InvitationSeen,
    PracticeSeen,
    ProfileSeen,
    SignInSeen,
    read_identity_event,
)
from audit.domain.recognition import Vendor, email_domain
from audit.domain.signins import DEFAULT_BURST_POLICY, detect_failed_sign_in_bursts
from audit.domain.verdicts import Judgement
from audit.service_layer.alerts import raise_alert
from audit.service_layer.judgements import (
    judge_creation,
    judge_entry,
    judge_profile,
    judge_sign_in,
)
from audit.service_layer.projections import (
    save_domains,
    save_entry,
    save_grant,
    save_invitation,
    save_practice,
    save_profile,
)
from audit.service_layer.verdicts import settle
from servicekit.db import UnitOfWork

SIGNED_IN, SIGN_IN_FAILED = "identity.session.signed_in", "identity.session.sign_in_failed"


def recognize_identity_event(uow: UnitOfWork, event: Mapping[str, Any], vendor: Vendor) -> None:
    """Update the projection from one identity event and re-judge what it could change."""
    fact = read_identity_event(event)
    session, again = uow.session, Rejudging(uow, event, vendor)
    if isinstance(fact, PracticeSeen):
        save_practice(session, fact)
        for seen in fact.profiles:
            save_profile(session, seen)
        again.practice(fact.org_id)
    elif isinstance(fact, DomainsSeen):
        save_domains(session, fact)
        again.practice(fact.org_id)
    elif isinstance(fact, ProfileSeen):
        again.after_statement(fact, save_profile(session, fact))
    elif isinstance(fact, InvitationSeen):
        save_invitation(session, fact)
        again.invitees(fact.invitation_id)
    elif isinstance(fact, GrantSeen):
        save_grant(session, fact)
        again.grant(fact.user_id, fact.org_id)
    elif isinstance(fact, GrantUsed):
        save_grant(session, fact.grant)
        kind = str((event.get("data") or {}).get("kind") or "vendor")
        assert fact.grant.org_id is not None
        save_entry(session, event["id"], fact.grant.user_id, fact.grant.org_id,
                   fact.attempt.occurred_at, fact.grant.grant_id, fact.attempt.email, kind)
        again.grant(fact.grant.user_id, fact.grant.org_id)
    elif isinstance(fact, SignInSeen):
        again.judge(judge_sign_in(session, event["id"], fact.attempt))
        if _is_vendor_entry(session, fact, vendor):
            attempt = fact.attempt
            assert attempt.user_id is not None and attempt.org_id is not None
            again.entry(save_entry(session, event["id"], attempt.user_id, attempt.org_id,
                                   attempt.occurred_at, fact.access_grant_id, fact.email,
                                   fact.kind or "vendor"))
        if not fact.attempt.succeeded and fact.attempt.org_id is not None:
            _judge_failure_bursts(uow, event, fact.attempt.org_id,
                                  fact.attempt.occurred_at)


class Rejudging:
    """The judgements one event re-makes, each at most once."""

    def __init__(self, uow: UnitOfWork, event: Mapping[str, Any], vendor: Vendor) -> None:
        self.uow, self.session, self.event, self.vendor = uow, uow.session, event, vendor
        self.done: set[str] = set()

    def judge(self, judgement: Judgement | None) -> None:
        if judgement is not None and judgement.key not in self.done:
            self.done.add(judgement.key)
            settle(self.uow, judgement, self.event)

    def profile(self, user_id: str) -> None:
        self.judge(judge_profile(self.session, user_id, self.vendor))

    def creation(self, user_id: str) -> None:
        self.judge(judge_creation(self.session, user_id))

    def entry(self, entry: Mapping[str, Any]) -> None:
        self.judge(judge_entry(self.session, entry, self.vendor))

    def practice(self, org_id: str) -> None:
        """Its domains or owner changed: every profile in it, every vendor entry into it."""
        for user_id in self._ids(select(known_profiles.c.user_id).where(
                known_profiles.c.org_id == org_id)):
            self.profile(user_id)
        self._entries(vendor_entries.c.org_id == org_id)

    def grant(self, user_id: str, org_id: str | None) -> None:
        self.profile(user_id)
        if org_id is not None:
            self._entries(vendor_entries.c.user_id == user_id, vendor_entries.c.org_id == org_id)

    def invitees(self, invitation_id: str) -> None:
        for user_id in self._ids(select(profile_statements.c.user_id).where(
                profile_statements.c.invitation_id == invitation_id)):
            self.creation(user_id)

    def after_statement(self, fact: ProfileSeen, row: Mapping[str, Any] | None) -> None:
        """What a statement about a profile can change: the profile itself, its practice
        (an owner's domain is the practice's), its creation, the creations it made as
        creator or inviter, its sign-ins since, and its entries into practices."""
        user_id = fact.user_id
        if row is not None and row["org_id"] is not None and self._is_owner(row):
            self.practice(row["org_id"])
        self.profile(user_id)
        self.creation(user_id)
        for made in self._ids(select(profile_statements.c.user_id).where(
                profile_statements.c.created_by == user_id)):
            self.creation(made)
        for invitation_id in self._ids(select(known_invitations.c.invitation_id).where(
                known_invitations.c.sent_by == user_id)):
            self.invitees(invitation_id)
        if fact.occurred_at is not None and {"status", "email"} & set(fact.changes):
            self._sign_ins_since(user_id, fact.occurred_at)
        self._entries(vendor_entries.c.user_id == user_id)

    def _sign_ins_since(self, user_id: str, since: datetime) -> None:
        rows = self.session.execute(select(audit_events.c.envelope).where(
            audit_events.c.actor_id == user_id, audit_events.c.type == SIGNED_IN,
            audit_events.c.occurred_at >= since))
        for row in rows.all():
            envelope = json.loads(row.envelope)
            fact = read_identity_event(envelope)
            if isinstance(fact, SignInSeen):
                self.judge(judge_sign_in(self.session, envelope["id"], fact.attempt))

    def _entries(self, *where: Any) -> None:
        for entry in self.session.execute(select(vendor_entries).where(*where)).mappings().all():
            self.entry(entry)

    def _ids(self, query: Any) -> list[str]:
        return sorted({str(v) for v in self.session.execute(query).scalars() if v})

    def _is_owner(self, row: Mapping[str, Any]) -> bool:
        if row["role"] == "owner":
            return True
        owner_id = self.session.execute(select(known_practices.c.owner_id).where(
            known_practices.c.org_id == row["org_id"])).scalar()
        return owner_id == row["user_id"]


def _is_vendor_entry(session: Session, fact: SignInSeen, vendor: Vendor) -> bool:
    """A successful sign-in into a practice by someone who is not its own staff: a vendor
    employee, an account of no practice, or any vendor-domain address."""
    attempt = fact.attempt
    if not attempt.succeeded or attempt.org_id is None or attempt.user_id is None:
        return False
    profile = session.execute(select(known_profiles).where(
        known_profiles.c.user_id == attempt.user_id)).mappings().first()
    kind = fact.kind or (profile["kind"] if profile else None)
    if kind == "recipient":
        return False
    email = profile["email"] if profile else fact.email
    vendors = {d.lower() for d in vendor.domains}
    return (kind == "vendor" or fact.access_grant_id is not None
            or (profile is not None and profile["org_id"] is None)
            or email_domain(email) in vendors)


def _judge_failure_bursts(uow: UnitOfWork, event: Mapping[str, Any], org_id: str,
                          at: datetime) -> None:
    """Bursts in every window this failure falls in: those ending at it, and those ending at
    the later failures already recorded (a failure that arrives late still counts)."""
    window = DEFAULT_BURST_POLICY.window
    attempts = _failures(uow.session, org_id, at - window, at + window)
    ends = sorted({at} | {a.occurred_at for a in attempts if a.occurred_at > at})
    for end in ends:
        for finding in detect_failed_sign_in_bursts(attempts, end):
            raise_alert(uow, finding, org_id=org_id, subject_key=finding.note,
                        profile_id=None, trigger=dict(event))


def _failures(session: Session, org_id: str, after: datetime, until: datetime) -> list:
    rows = session.execute(select(audit_events.c.envelope).where(
        audit_events.c.org_id == org_id, audit_events.c.type == SIGN_IN_FAILED,
        audit_events.c.occurred_at > after, audit_events.c.occurred_at <= until,
    ))
    facts: Iterable[Any] = (read_identity_event(json.loads(r.envelope)) for r in rows)
    return [f.attempt for f in facts if isinstance(f, SignInSeen)]

"""Profile recognition on identity's events, whatever order they arrive in.

One straight walk per event: read the fact (``domain/identity_events.py``), keep it in the
projection (``adapters/identity_projection.py``), then re-make every judgement the fact could
change (``judgements.py``: facts from the projection, rules from the domain) and settle each
(``verdicts.py``): a verdict that becomes unrecognized raises its alert, one that stops being
unrecognized resolves it (by the system, with its history). A judgement missing a fact is
undecided and raises nothing until the fact arrives.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from audit.adapters.identity_projection import IdentityProjection
from audit.adapters.recognition_facts import RecognitionFacts
from audit.adapters.record_store import AuditRecord
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
from audit.domain.signins import DEFAULT_BURST_POLICY, SignInAttempt, detect_failed_sign_in_bursts
from audit.domain.verdicts import Judgement
from audit.service_layer.alerts import raise_alert
from audit.service_layer.judgements import (
    judge_creation,
    judge_entry,
    judge_profile,
    judge_sign_in,
)
from audit.service_layer.verdicts import settle
from servicekit.db import UnitOfWork

SIGNED_IN, SIGN_IN_FAILED = "identity.session.signed_in", "identity.session.sign_in_failed"


def recognize_identity_event(uow: UnitOfWork, event: Mapping[str, Any], vendor: Vendor) -> None:
    """Keep the fact of one identity event and re-judge what it could change."""
    fact = read_identity_event(event)
    projection, again = IdentityProjection(uow.session), Rejudging(uow, event, vendor)
    if isinstance(fact, PracticeSeen):
        projection.save_practice(fact)
        for seen in fact.profiles:
            projection.save_profile(seen)
        again.practice(fact.org_id)
    elif isinstance(fact, DomainsSeen):
        projection.save_domains(fact)
        again.practice(fact.org_id)
    elif isinstance(fact, ProfileSeen):
        again.after_statement(fact, projection.save_profile(fact))
    elif isinstance(fact, InvitationSeen):
        projection.save_invitation(fact)
        again.invitees(fact.invitation_id)
    elif isinstance(fact, GrantSeen):
        projection.save_grant(fact)
        again.grant(fact.user_id, fact.org_id)
    elif isinstance(fact, GrantUsed):
        _keep_grant_use(projection, event, fact)
        again.grant(fact.grant.user_id, fact.grant.org_id)
    elif isinstance(fact, SignInSeen):
        _judge_sign_in(uow, event, fact, vendor, again)


def _keep_grant_use(projection: IdentityProjection, event: Mapping[str, Any],
                    fact: GrantUsed) -> None:
    projection.save_grant(fact.grant)
    kind = str((event.get("data") or {}).get("kind") or "vendor")
    assert fact.grant.org_id is not None
    projection.save_entry(event["id"], fact.grant.user_id, fact.grant.org_id,
                          fact.attempt.occurred_at, fact.grant.grant_id, fact.attempt.email,
                          kind)


def _judge_sign_in(uow: UnitOfWork, event: Mapping[str, Any], fact: SignInSeen,
                   vendor: Vendor, again: Rejudging) -> None:
    """The sign-in itself; a vendor's entry into a practice; a burst of failures."""
    attempt = fact.attempt
    again.judge(judge_sign_in(again.facts, event["id"], attempt))
    if _is_vendor_entry(again.facts, fact, vendor):
        assert attempt.user_id is not None and attempt.org_id is not None
        again.entry(IdentityProjection(uow.session).save_entry(
            event["id"], attempt.user_id, attempt.org_id, attempt.occurred_at,
            fact.access_grant_id, fact.email, fact.kind or "vendor"))
    if not attempt.succeeded and attempt.org_id is not None:
        _judge_failure_bursts(uow, event, attempt.org_id, attempt.occurred_at)


class Rejudging:
    """The judgements one event re-makes, each at most once."""

    def __init__(self, uow: UnitOfWork, event: Mapping[str, Any], vendor: Vendor) -> None:
        self.uow, self.event, self.vendor = uow, event, vendor
        self.facts = RecognitionFacts(uow.session)
        self.done: set[str] = set()

    def judge(self, judgement: Judgement | None) -> None:
        if judgement is not None and judgement.key not in self.done:
            self.done.add(judgement.key)
            settle(self.uow, judgement, self.event)

    def profile(self, user_id: str) -> None:
        self.judge(judge_profile(self.facts, user_id, self.vendor))

    def creation(self, user_id: str) -> None:
        self.judge(judge_creation(self.facts, user_id))

    def entry(self, entry: Mapping[str, Any]) -> None:
        self.judge(judge_entry(self.facts, entry, self.vendor))

    def practice(self, org_id: str) -> None:
        """Its domains or owner changed: every profile in it, every vendor entry into it."""
        for user_id in self.facts.profiles_in(org_id):
            self.profile(user_id)
        for entry in self.facts.entries(org_id=org_id):
            self.entry(entry)

    def grant(self, user_id: str, org_id: str | None) -> None:
        self.profile(user_id)
        if org_id is not None:
            for entry in self.facts.entries(org_id=org_id, user_id=user_id):
                self.entry(entry)

    def invitees(self, invitation_id: str) -> None:
        for user_id in self.facts.invitees(invitation_id):
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
        for made in self.facts.created_by(user_id):
            self.creation(made)
        for invitation_id in self.facts.invitations_sent_by(user_id):
            self.invitees(invitation_id)
        if fact.occurred_at is not None and {"status", "email"} & set(fact.changes):
            self._sign_ins_since(user_id, fact.occurred_at)
        for entry in self.facts.entries(user_id=user_id):
            self.entry(entry)

    def _sign_ins_since(self, user_id: str, since: datetime) -> None:
        for envelope in AuditRecord(self.uow.session).envelopes_by_actor(SIGNED_IN, user_id,
                                                                         since):
            fact = read_identity_event(envelope)
            if isinstance(fact, SignInSeen):
                self.judge(judge_sign_in(self.facts, envelope["id"], fact.attempt))

    def _is_owner(self, row: Mapping[str, Any]) -> bool:
        return row["role"] == "owner" or self.facts.owner_of(row["org_id"]) == row["user_id"]


def _is_vendor_entry(facts: RecognitionFacts, fact: SignInSeen, vendor: Vendor) -> bool:
    """A successful sign-in into a practice by someone who is not its own staff: a vendor
    employee, an account of no practice, or any vendor-domain address."""
    attempt = fact.attempt
    if not attempt.succeeded or attempt.org_id is None or attempt.user_id is None:
        return False
    profile = facts.profile(attempt.user_id)
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
    attempts = _failures(uow, org_id, at - window, at + window)
    ends = sorted({at} | {a.occurred_at for a in attempts if a.occurred_at > at})
    for end in ends:
        for finding in detect_failed_sign_in_bursts(attempts, end):
            raise_alert(uow, finding, org_id=org_id, subject_key=finding.note,
                        profile_id=None, trigger=dict(event))


def _failures(uow: UnitOfWork, org_id: str, after: datetime, until: datetime
              ) -> list[SignInAttempt]:
    envelopes = AuditRecord(uow.session).envelopes_in_practice(SIGN_IN_FAILED, org_id, after,
                                                               until)
    facts = (read_identity_event(envelope) for envelope in envelopes)
    return [f.attempt for f in facts if isinstance(f, SignInSeen)]

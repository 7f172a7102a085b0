"""Profile recognition on identity's events, over a local projection of what it needs."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit.adapters.tables import (
    access_grants,
    audit_events,
    known_invitations,
    known_practices,
    known_profiles,
)
from audit.domain.clock import parse_utc
from audit.domain.identity_events import (
    CreationSeen,
    GrantSeen,
    GrantUsed,
    InvitationSeen,
    PracticeSeen,
    ProfileSeen,
    SignInSeen,
    read_identity_event,
)
from audit.domain.recognition import (
    MANAGE_USERS,
    AccessGrant,
    Creation,
    Practice,
    Profile,
    Vendor,
    email_domain,
    recognize_profile,
)
from audit.domain.signins import (
    DEFAULT_BURST_POLICY,
    SignInAttempt,
    detect_failed_sign_in_bursts,
    recognize_sign_in,
)
from audit.service_layer.alerts import raise_alert
from audit.service_layer.projections import (
    save_grant,
    save_invitation,
    save_practice,
    save_profile,
)
from servicekit.db import UnitOfWork

SIGN_IN_FAILED = "identity.session.sign_in_failed"
# Actors that are the platform itself (identity's CLI: create-practice, operators' commands).
PLATFORM_ACTOR_KINDS = frozenset({"system"})


def recognize_identity_event(uow: UnitOfWork, event: Mapping[str, Any], vendor: Vendor) -> None:
    """Update the projection from one identity event and raise the alerts it calls for."""
    fact = read_identity_event(event)
    now = parse_utc(event["occurred_at"], "occurred_at")
    session = uow.session
    if isinstance(fact, PracticeSeen):
        save_practice(session, fact)
        for seen in fact.profiles:
            save_profile(session, seen)
        # Profiles that arrived before their practice could not be judged until now.
        for profile in _profiles_of(session, fact.org_id):
            _judge_profile(uow, profile, event, vendor, now)
    elif isinstance(fact, ProfileSeen):
        profile = save_profile(session, fact)
        if profile is None:
            return
        if fact.creation is not None:
            _judge_creation(uow, profile, fact.creation, event, vendor, now)
        if profile["org_id"] is None:
            return  # a recipient or vendor employee: judged when it enters a practice
        # The owner's domain may be what the whole practice is judged by: judge them all.
        judged = _profiles_of(session, profile["org_id"]) if _is_owner(session, profile) else [
            profile]
        for row in judged:
            _judge_profile(uow, row, event, vendor, now)
    elif isinstance(fact, InvitationSeen):
        save_invitation(session, fact)
    elif isinstance(fact, GrantSeen):
        save_grant(session, fact)
    elif isinstance(fact, GrantUsed):
        save_grant(session, fact.grant)
        _judge_sign_in(uow, SignInSeen(fact.attempt), event, vendor, now)
    elif isinstance(fact, SignInSeen):
        _judge_sign_in(uow, fact, event, vendor, now)


def _judge_profile(
    uow: UnitOfWork, row: Mapping[str, Any], event: Mapping[str, Any], vendor: Vendor,
    now: datetime, org_id: str | None = None,
) -> None:
    """Judge the profile inside its practice, or inside ``org_id`` it entered (a vendor)."""
    org_id = row["org_id"] or org_id
    if org_id is None or row["status"] == "deactivated":
        # No practice: nothing to recognize it against. Deactivated: it cannot act; a
        # sign-in attempt to it is judged on its own.
        return
    domains = _recognized_domains(uow.session, {**row, "org_id": org_id})
    if domains is None:
        return  # the practice is not known yet; its practice.created judges the profile
    finding = recognize_profile(
        _profile(row), Practice(org_id, domains), vendor,
        _grants_of(uow.session, row["user_id"], org_id), None, now,
    )
    if not finding.recognized:
        raise_alert(uow, finding, org_id=org_id, subject_key=f"user:{row['user_id']}",
                    profile_id=row["user_id"], trigger=dict(event))


def _judge_creation(
    uow: UnitOfWork, row: Mapping[str, Any], creation: CreationSeen, event: Mapping[str, Any],
    vendor: Vendor, now: datetime,
) -> None:
    """A profile created by someone who does not hold manage_users is an alert.

    The creator is the event's actor, or for an invitee's own acceptance whoever sent the
    invitation; their permissions are audit's projection of identity's events. The
    platform itself (identity's CLI) creates practices' first profiles. A creator whose
    permissions identity never stated to audit is not judged: there is nothing to judge
    by, and guessing would alert on every event that overtook its predecessor.
    """
    if creation.actor_kind in PLATFORM_ACTOR_KINDS or not creation.actor_id:
        return
    creator_id = creation.actor_id
    if creator_id == row["user_id"]:
        creator_id = _inviter(uow.session, creation.invitation_id, row["org_id"])
        if creator_id is None:
            return
    creator = uow.session.execute(select(known_profiles.c.permissions).where(
        known_profiles.c.user_id == creator_id)).first()
    if creator is None or creator.permissions is None:
        return
    held = MANAGE_USERS in json.loads(creator.permissions)
    finding = recognize_profile(
        _profile(row), Practice(row["org_id"] or "", frozenset()), vendor, [],
        Creation(creator_id, held), now)
    if not finding.recognized and finding.reason == "created_without_manage_users":
        raise_alert(uow, finding, org_id=row["org_id"], subject_key=f"user:{row['user_id']}",
                    profile_id=row["user_id"], trigger=dict(event))


def _inviter(session: Session, invitation_id: str | None, org_id: str | None) -> str | None:
    if invitation_id is None:
        return None
    return session.execute(select(known_invitations.c.sent_by).where(
        known_invitations.c.invitation_id == invitation_id,
        known_invitations.c.org_id == org_id)).scalar()


def _judge_sign_in(
    uow: UnitOfWork, fact: SignInSeen, event: Mapping[str, Any], vendor: Vendor, now: datetime
) -> None:
    attempt = fact.attempt
    row = _find_profile(uow.session, attempt.user_id, attempt.email, attempt.org_id)
    if row is None and attempt.succeeded:
        row = _vendor_seen_only_signing_in(event, attempt)
    if row is not None:
        finding = recognize_sign_in(_profile(row), attempt)
        if not finding.recognized:
            raise_alert(uow, finding, org_id=row["org_id"] or attempt.org_id,
                        subject_key=f"user:{row['user_id']}", profile_id=row["user_id"],
                        trigger=dict(event))
        # A profile of no practice (vendor staff) that got into one is judged there; a
        # refused attempt got nowhere and counts only toward the failure bursts below.
        _judge_profile(uow, row, event, vendor, now,
                       org_id=attempt.org_id if attempt.succeeded else None)
    if not attempt.succeeded and attempt.org_id is not None:
        attempts = _recent_failures(uow.session, attempt.org_id, now)
        for finding in detect_failed_sign_in_bursts(attempts, now):
            raise_alert(uow, finding, org_id=attempt.org_id, subject_key=finding.note,
                        profile_id=None, trigger=dict(event))


def _vendor_seen_only_signing_in(
    event: Mapping[str, Any], attempt: SignInAttempt
) -> dict[str, Any] | None:
    """A vendor employee whose vendor_staff.created audit has not seen: the sign-in's actor
    says enough (id, email, kind) to judge their entry into a practice."""
    actor = event.get("actor") or {}
    kind = (event.get("data") or {}).get("kind") or actor.get("kind")
    if kind != "vendor" or not attempt.user_id:
        return None
    return {"user_id": attempt.user_id, "org_id": None, "role": None, "status": "active",
            "email": str(actor.get("email") or attempt.email).strip().lower(),
            "full_name": "", "kind": "vendor"}


def _recent_failures(session: Session, org_id: str, now: datetime) -> list:
    rows = session.execute(select(audit_events.c.envelope).where(
        audit_events.c.org_id == org_id, audit_events.c.type == SIGN_IN_FAILED,
        audit_events.c.occurred_at > now - DEFAULT_BURST_POLICY.window,
        audit_events.c.occurred_at <= now,
    ))
    facts = (read_identity_event(json.loads(r.envelope)) for r in rows)
    return [f.attempt for f in facts if isinstance(f, SignInSeen)]


def _recognized_domains(session: Session, row: Mapping[str, Any]) -> frozenset[str] | None:
    practice = session.execute(
        select(known_practices).where(known_practices.c.org_id == row["org_id"])
    ).mappings().first()
    if practice is not None and practice["recognized_domains"] is not None:
        return frozenset(json.loads(practice["recognized_domains"]))
    # No list given: the owner's email domain is the practice's domain.
    if row["role"] == "owner":
        return frozenset({email_domain(row["email"])})
    owner_query = select(known_profiles.c.email).where(known_profiles.c.org_id == row["org_id"])
    if practice is not None and practice["owner_id"]:
        owner_query = owner_query.where(known_profiles.c.user_id == practice["owner_id"])
    else:
        owner_query = owner_query.where(known_profiles.c.role == "owner")
    owner_email = session.execute(owner_query.limit(1)).scalar()
    return frozenset({email_domain(owner_email)}) if owner_email else None


def _is_owner(session: Session, row: Mapping[str, Any]) -> bool:
    if row["role"] == "owner":
        return True
    owner_id = session.execute(select(known_practices.c.owner_id).where(
        known_practices.c.org_id == row["org_id"])).scalar()
    return owner_id == row["user_id"]


def _profile(row: Mapping[str, Any]) -> Profile:
    return Profile(row["user_id"], row["email"], row["full_name"], row["kind"], row["status"])


def _grants_of(session: Session, user_id: str, org_id: str) -> list[AccessGrant]:
    """The grants that let ``user_id`` into ``org_id``: a grant for one practice is no
    grant for another."""
    query = select(access_grants).where(access_grants.c.user_id == user_id,
                                        access_grants.c.org_id == org_id)
    return [AccessGrant(g["purpose"], g["starts_at"], g["ends_at"], g["revoked_at"])
            for g in session.execute(query).mappings()]


def _profiles_of(session: Session, org_id: str) -> list[Mapping[str, Any]]:
    query = select(known_profiles).where(known_profiles.c.org_id == org_id)
    return list(session.execute(query.order_by(known_profiles.c.user_id)).mappings())


def _find_profile(
    session: Session, user_id: str | None, email: str, org_id: str | None
) -> Mapping[str, Any] | None:
    query = select(known_profiles)
    if user_id:
        query = query.where(known_profiles.c.user_id == user_id)
    elif email and org_id:
        query = query.where(known_profiles.c.org_id == org_id,
                            known_profiles.c.email == email.strip().lower())
    else:
        return None
    return session.execute(query).mappings().first()

"""Profile recognition on identity's events, over a local projection of what it needs."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit.adapters.tables import access_grants, audit_events, known_practices, known_profiles
from audit.domain.clock import parse_utc
from audit.domain.identity_events import (
    GrantSeen,
    PracticeSeen,
    ProfileSeen,
    SignInSeen,
    read_identity_event,
)
from audit.domain.recognition import (
    AccessGrant,
    Practice,
    Profile,
    Vendor,
    email_domain,
    recognize_profile,
)
from audit.domain.signins import (
    DEFAULT_BURST_POLICY,
    detect_failed_sign_in_bursts,
    recognize_sign_in,
)
from audit.service_layer.alerts import raise_alert
from servicekit.db import UnitOfWork

SIGN_IN_FAILED = "identity.session.sign_in_failed"


def recognize_identity_event(uow: UnitOfWork, event: Mapping[str, Any], vendor: Vendor) -> None:
    """Update the projection from one identity event and raise the alerts it calls for."""
    fact = read_identity_event(event)
    now = parse_utc(event["occurred_at"], "occurred_at")
    session = uow.session
    if isinstance(fact, PracticeSeen):
        _save_practice(session, fact)
        for seen in fact.profiles:
            _save_profile(session, seen)
        # Profiles that arrived before their practice could not be judged until now.
        for profile in _profiles_of(session, fact.org_id):
            _judge_profile(uow, profile, event, vendor, now)
    elif isinstance(fact, ProfileSeen):
        profile = _save_profile(session, fact)
        if profile is None:
            return
        # The owner's domain may be what the whole practice is judged by: judge them all.
        judged = _profiles_of(session, profile["org_id"]) if _is_owner(session, profile) else [
            profile]
        for row in judged:
            _judge_profile(uow, row, event, vendor, now)
    elif isinstance(fact, GrantSeen):
        _save_grant(session, fact)
    elif isinstance(fact, SignInSeen):
        _judge_sign_in(uow, fact, event, vendor, now)


def _judge_profile(
    uow: UnitOfWork, row: Mapping[str, Any], event: Mapping[str, Any], vendor: Vendor,
    now: datetime,
) -> None:
    if row["status"] == "deactivated":
        return  # it cannot act; a sign-in attempt to it is judged on its own
    domains = _recognized_domains(uow.session, row)
    if domains is None:
        return  # the practice is not known yet; its practice.created judges the profile
    finding = recognize_profile(
        _profile(row), Practice(row["org_id"] or "", domains), vendor,
        _grants_of(uow.session, row), None, now,
    )
    if not finding.recognized:
        raise_alert(uow, finding, org_id=row["org_id"], subject_key=f"user:{row['user_id']}",
                    profile_id=row["user_id"], trigger=dict(event))


def _judge_sign_in(
    uow: UnitOfWork, fact: SignInSeen, event: Mapping[str, Any], vendor: Vendor, now: datetime
) -> None:
    attempt = fact.attempt
    row = _find_profile(uow.session, attempt.user_id, attempt.email, attempt.org_id)
    if row is not None:
        finding = recognize_sign_in(_profile(row), attempt)
        if not finding.recognized:
            raise_alert(uow, finding, org_id=row["org_id"],
                        subject_key=f"user:{row['user_id']}", profile_id=row["user_id"],
                        trigger=dict(event))
        _judge_profile(uow, row, event, vendor, now)
    if not attempt.succeeded and attempt.org_id is not None:
        attempts = _recent_failures(uow.session, attempt.org_id, now)
        for finding in detect_failed_sign_in_bursts(attempts, now):
            raise_alert(uow, finding, org_id=attempt.org_id, subject_key=finding.note,
                        profile_id=None, trigger=dict(event))


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


def _grants_of(session: Session, row: Mapping[str, Any]) -> list[AccessGrant]:
    query = select(access_grants).where(access_grants.c.user_id == row["user_id"])
    if row["org_id"] is not None:
        query = query.where(access_grants.c.org_id == row["org_id"])
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


def _save_practice(session: Session, fact: PracticeSeen) -> None:
    domains = None
    if fact.recognized_domains is not None:
        domains = json.dumps(sorted({d.strip().lower() for d in fact.recognized_domains}))
    values = {"name": fact.name, "owner_id": fact.owner_id, "recognized_domains": domains}
    exists = session.execute(select(known_practices.c.org_id).where(
        known_practices.c.org_id == fact.org_id)).first()
    if exists:
        session.execute(known_practices.update().where(
            known_practices.c.org_id == fact.org_id).values(**values))
    else:
        session.execute(known_practices.insert().values(org_id=fact.org_id, **values))


def _save_profile(session: Session, fact: ProfileSeen) -> Mapping[str, Any] | None:
    changes = dict(fact.changes)
    if "email" in changes:
        changes["email"] = changes["email"].strip().lower()
    current = session.execute(select(known_profiles).where(
        known_profiles.c.user_id == fact.user_id)).mappings().first()
    if current is None:
        if "email" not in changes:
            return None  # a change to a profile whose creation has not arrived yet
        row = {"user_id": fact.user_id, "org_id": fact.org_id, "full_name": "",
               "kind": "staff", "status": "active", "role": None, **changes}
        session.execute(known_profiles.insert().values(**row))
        return row
    row = {**current, **changes}
    if changes:
        session.execute(known_profiles.update().where(
            known_profiles.c.user_id == fact.user_id).values(**changes))
    return row


def _save_grant(session: Session, fact: GrantSeen) -> None:
    current = session.execute(select(access_grants).where(
        access_grants.c.grant_id == fact.grant_id)).mappings().first()
    if current is None:
        if fact.starts_at is None or fact.ends_at is None:
            return  # a revocation of a grant we never saw: nothing it could recognize
        session.execute(access_grants.insert().values(
            grant_id=fact.grant_id, user_id=fact.user_id, org_id=fact.org_id,
            purpose=fact.purpose, starts_at=fact.starts_at, ends_at=fact.ends_at,
            revoked_at=fact.revoked_at))
    elif fact.revoked_at is not None:
        session.execute(access_grants.update().where(
            access_grants.c.grant_id == fact.grant_id).values(revoked_at=fact.revoked_at))

"""Audit's local projection of identity: practices, profiles, grants, invitations.

Only what profile recognition needs, kept from identity's events (see
``domain/identity_events.py`` for what each event says).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit.adapters.tables import access_grants, known_invitations, known_practices, known_profiles
from audit.domain.identity_events import GrantSeen, InvitationSeen, PracticeSeen, ProfileSeen


def save_practice(session: Session, fact: PracticeSeen) -> None:
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


def save_profile(session: Session, fact: ProfileSeen) -> Mapping[str, Any] | None:
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


def save_grant(session: Session, fact: GrantSeen) -> None:
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


def save_invitation(session: Session, fact: InvitationSeen) -> None:
    # A resend by another admin makes them the inviter: they vouched for it last.
    exists = session.execute(select(known_invitations.c.invitation_id).where(
        known_invitations.c.invitation_id == fact.invitation_id)).first()
    if exists:
        session.execute(known_invitations.update().where(
            known_invitations.c.invitation_id == fact.invitation_id).values(
                sent_by=fact.sent_by))
    else:
        session.execute(known_invitations.insert().values(
            invitation_id=fact.invitation_id, org_id=fact.org_id, sent_by=fact.sent_by))

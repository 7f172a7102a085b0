"""Audit's local projection of identity: practices, profiles, grants, invitations, entries.

Only what profile recognition needs, kept from identity's events (see
``domain/identity_events.py`` for what each event says). Every piece ends the same whatever
order the events arrive in: profiles are the fold of their statements in time order, a
newer domain list or invitation send wins over an older one that arrives later, and a grant
keeps its earliest revocation.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit.adapters.tables import (
    access_grants,
    known_invitations,
    known_practices,
    known_profiles,
    profile_statements,
    vendor_entries,
)
from audit.domain.clock import as_utc
from audit.domain.identity_events import (
    DomainsSeen,
    GrantSeen,
    InvitationSeen,
    PracticeSeen,
    ProfileSeen,
)
from audit.domain.profile_history import ProfileStatement, is_complete, profile_as_of

PROFILE_DEFAULTS: dict[str, Any] = {"full_name": "", "kind": "staff", "status": "active",
                                    "role": None, "permissions": None}


class IdentityProjection:
    def __init__(self, session: Session) -> None:
        self.session = session

    def save_practice(self, fact: PracticeSeen) -> None:
        values: dict[str, Any] = {"name": fact.name, "owner_id": fact.owner_id}
        self._save_practice_row(fact.org_id, values, fact.recognized_domains,
                                fact.occurred_at)

    def save_domains(self, fact: DomainsSeen) -> None:
        self._save_practice_row(fact.org_id, {}, fact.recognized_domains, fact.occurred_at)

    def _save_practice_row(self, org_id: str, values: dict[str, Any],
                           domains: tuple[str, ...] | None, stated_at: datetime | None) -> None:
        current = self.session.execute(select(known_practices).where(
            known_practices.c.org_id == org_id)).mappings().first()
        stated_before = current["domains_stated_at"] if current is not None else None
        if domains is not None and _newer(stated_at, stated_before):
            values["recognized_domains"] = json.dumps(sorted({d.strip().lower()
                                                              for d in domains}))
            values["domains_stated_at"] = stated_at
        if current is None:
            self.session.execute(known_practices.insert().values(
                org_id=org_id, **{"name": "", "owner_id": None, **values}))
        elif values:
            self.session.execute(known_practices.update().where(
                known_practices.c.org_id == org_id).values(**values))

    def save_profile(self, fact: ProfileSeen) -> Mapping[str, Any] | None:
        """Keep the statement and refold the profile; None while its address is unknown."""
        changes = dict(fact.changes)
        if "email" in changes:
            changes["email"] = changes["email"].strip().lower()
        if fact.event_id and fact.occurred_at is not None:
            self._keep_statement(fact, changes)
        folded = profile_as_of(self.statements_of(fact.user_id))
        if not is_complete(folded):
            return None
        assert folded is not None
        row = {**PROFILE_DEFAULTS, **folded, "user_id": fact.user_id}
        row = {c.name: row.get(c.name) for c in known_profiles.columns}
        exists = self.session.execute(select(known_profiles.c.user_id).where(
            known_profiles.c.user_id == fact.user_id)).first()
        if exists is None:
            self.session.execute(known_profiles.insert().values(**row))
        else:
            self.session.execute(known_profiles.update().where(
                known_profiles.c.user_id == fact.user_id).values(**row))
        return row

    def _keep_statement(self, fact: ProfileSeen, changes: dict[str, Any]) -> None:
        exists = self.session.execute(select(profile_statements.c.event_id).where(
            profile_statements.c.event_id == fact.event_id)).first()
        if exists is not None:
            return
        creation = fact.creation
        self.session.execute(profile_statements.insert().values(
            event_id=fact.event_id, user_id=fact.user_id, org_id=fact.org_id,
            occurred_at=fact.occurred_at, changes=json.dumps(changes),
            created_by=creation.actor_id if creation else None,
            created_by_kind=creation.actor_kind if creation else None,
            invitation_id=creation.invitation_id if creation else None))

    def statements_of(self, user_id: str) -> list[ProfileStatement]:
        rows = self.session.execute(select(profile_statements).where(
            profile_statements.c.user_id == user_id)).mappings()
        return [ProfileStatement(r["event_id"], r["occurred_at"], json.loads(r["changes"]),
                                 r["org_id"]) for r in rows]

    def save_grant(self, fact: GrantSeen) -> None:
        current = self.session.execute(select(access_grants).where(
            access_grants.c.grant_id == fact.grant_id)).mappings().first()
        if current is None:
            if fact.starts_at is None or fact.ends_at is None:
                return  # a revocation of a grant we never saw: nothing it could recognize
            self.session.execute(access_grants.insert().values(
                grant_id=fact.grant_id, user_id=fact.user_id, org_id=fact.org_id,
                purpose=fact.purpose, starts_at=fact.starts_at, ends_at=fact.ends_at,
                revoked_at=fact.revoked_at))
        elif fact.revoked_at is not None and (
                current["revoked_at"] is None
                or as_utc(fact.revoked_at) < as_utc(current["revoked_at"])):
            # The earliest revocation stands: a later statement cannot make it live again.
            self.session.execute(access_grants.update().where(
                access_grants.c.grant_id == fact.grant_id).values(revoked_at=fact.revoked_at))

    def save_invitation(self, fact: InvitationSeen) -> None:
        # A resend by another admin makes them the inviter: they vouched for it last.
        current = self.session.execute(select(known_invitations).where(
            known_invitations.c.invitation_id == fact.invitation_id)).mappings().first()
        if current is None:
            self.session.execute(known_invitations.insert().values(
                invitation_id=fact.invitation_id, org_id=fact.org_id, sent_by=fact.sent_by,
                sent_at=fact.sent_at))
        elif _newer(fact.sent_at, current["sent_at"]):
            self.session.execute(known_invitations.update().where(
                known_invitations.c.invitation_id == fact.invitation_id).values(
                    sent_by=fact.sent_by, sent_at=fact.sent_at))

    def save_entry(self, event_id: str, user_id: str, org_id: str, at: datetime,
                   access_grant_id: str | None, email: str, kind: str) -> Mapping[str, Any]:
        """A vendor entering a practice (a sign-in or a grant's use), kept for re-judging."""
        row = {"event_id": event_id, "user_id": user_id, "org_id": org_id, "entered_at": at,
               "access_grant_id": access_grant_id, "email": email.strip().lower(),
               "kind": kind}
        exists = self.session.execute(select(vendor_entries.c.event_id).where(
            vendor_entries.c.event_id == event_id)).first()
        if exists is None:
            self.session.execute(vendor_entries.insert().values(**row))
        return row


def _newer(candidate: datetime | None, current: datetime | None) -> bool:
    """``candidate`` replaces ``current``: nothing stated yet, or stated later."""
    if current is None:
        return True
    return candidate is not None and as_utc(candidate) > as_utc(current)

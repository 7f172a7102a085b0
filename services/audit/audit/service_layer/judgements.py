"""The judgements recognition makes, each read from the projection as it stands now.

Each returns a ``Judgement`` whose finding is None when a fact it needs has not arrived:
the practice's domains, the grant a vendor says let them in, the creator's permissions or
the invitation. Time-bound facts are judged as of the moment that matters (the sign-in, the
creation, the invitation's sending), never as of when the event happened to arrive.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit.adapters.tables import (
    access_grants,
    known_invitations,
    known_practices,
    known_profiles,
    profile_statements,
)
from audit.domain.clock import as_utc
from audit.domain.profile_history import is_complete, profile_as_of
from audit.domain.recognition import (
    MANAGE_USERS,
    AccessGrant,
    Creation,
    Practice,
    Profile,
    Vendor,
    email_domain,
    recognize_creation,
    recognize_profile,
)
from audit.domain.signins import SignInAttempt, recognize_sign_in
from audit.domain.verdicts import Judgement
from audit.service_layer.projections import PROFILE_DEFAULTS, statements_of

# Actors that are the platform itself (identity's CLI: create-practice, operators' commands).
PLATFORM_ACTOR_KINDS = frozenset({"system"})


def judge_profile(session: Session, user_id: str, vendor: Vendor) -> Judgement | None:
    """Does the profile belong in its practice (domain, automation profile, grant)?"""
    statements = statements_of(session, user_id)
    folded = profile_as_of(statements)
    if not is_complete(folded) or folded is None or folded["org_id"] is None:
        return None  # no practice: a recipient or vendor employee, judged on entering one
    org_id = str(folded["org_id"])
    profile = _profile(user_id, folded)
    domains = recognized_domains(session, org_id)
    key = f"profile:{user_id}"
    if domains is None and not _is_vendors(profile.email, vendor):
        return Judgement(key, org_id, user_id, None)
    stated_at = max(as_utc(s.occurred_at) for s in statements)
    return Judgement(key, org_id, user_id, recognize_profile(
        profile, Practice(org_id, domains or frozenset()), vendor,
        grants_of(session, user_id, org_id), None, stated_at))


def judge_creation(session: Session, user_id: str) -> Judgement | None:
    """Was the profile created by someone holding manage_users when they did it?"""
    creation = session.execute(select(profile_statements).where(
        profile_statements.c.user_id == user_id,
        profile_statements.c.created_by.is_not(None))).mappings().first()
    if creation is None or creation["created_by_kind"] in PLATFORM_ACTOR_KINDS:
        return None  # the platform itself, or no one named: nothing to judge
    folded = profile_as_of(statements_of(session, user_id))
    if not is_complete(folded) or folded is None:
        return None
    org_id = creation["org_id"]
    key = f"creation:{user_id}"
    creator, at = creation["created_by"], creation["occurred_at"]
    if creator == user_id:
        # An invitee's own acceptance: whoever (re)sent the invitation vouched for them then.
        invitation = session.execute(select(known_invitations).where(
            known_invitations.c.invitation_id == creation["invitation_id"],
            known_invitations.c.org_id == org_id)).mappings().first()
        if invitation is None:
            return Judgement(key, org_id, user_id, None)
        creator, at = invitation["sent_by"], invitation["sent_at"] or at
    creator_then = profile_as_of(statements_of(session, creator), at)
    if creator_then is None or creator_then.get("permissions") is None:
        return Judgement(key, org_id, user_id, None)
    held = MANAGE_USERS in json.loads(str(creator_then["permissions"]))
    return Judgement(key, org_id, user_id,
                     recognize_creation(_profile(user_id, folded), Creation(creator, held)))


def judge_entry(session: Session, entry: Mapping[str, Any], vendor: Vendor) -> Judgement:
    """A vendor entering a practice: under an active grant for that practice, at that moment."""
    user_id, org_id = entry["user_id"], entry["org_id"]
    key = f"entry:{entry['event_id']}"
    folded = profile_as_of(statements_of(session, user_id))
    if is_complete(folded) and folded is not None:
        profile = _profile(user_id, folded)
    else:  # audit never saw the profile: the sign-in's own account says enough
        profile = Profile(user_id, entry["email"], "", entry["kind"], "active")
    domains = recognized_domains(session, org_id)
    if domains is None and not _is_vendors(profile.email, vendor):
        return Judgement(key, org_id, user_id, None)
    grants = _named_grants(session, user_id, org_id)
    if entry["access_grant_id"]:
        # Identity names the grant that let them in: judge by that one, once it is known
        # (a grant of another person or practice is known but lets them in nowhere here).
        known = session.execute(select(access_grants.c.grant_id).where(
            access_grants.c.grant_id == entry["access_grant_id"])).first()
        if known is None:
            return Judgement(key, org_id, user_id, None)
        grants = [g for g in grants if g.grant_id == entry["access_grant_id"]]
    return Judgement(key, org_id, user_id, recognize_profile(
        profile, Practice(org_id, domains or frozenset()), vendor,
        [g.grant for g in grants], None, entry["entered_at"]))


def judge_sign_in(session: Session, event_id: str, attempt: SignInAttempt) -> Judgement | None:
    """A sign-in (or attempt) to an account that was deactivated at that moment."""
    user_id = attempt.user_id or _user_by_email(session, attempt.email, attempt.org_id)
    if user_id is None:
        return None
    then = profile_as_of(statements_of(session, user_id), attempt.occurred_at)
    if not is_complete(then) or then is None:
        return None
    org_id = then["org_id"] or attempt.org_id
    return Judgement(f"signin:{event_id}", org_id, user_id,
                     recognize_sign_in(_profile(user_id, then), attempt))


def recognized_domains(session: Session, org_id: str) -> frozenset[str] | None:
    """The practice's domains: its stated list, else its owner's domain; None: not known yet."""
    practice = session.execute(select(known_practices).where(
        known_practices.c.org_id == org_id)).mappings().first()
    if practice is not None and practice["recognized_domains"] is not None:
        return frozenset(json.loads(practice["recognized_domains"]))
    owner_query = select(known_profiles.c.email).where(known_profiles.c.org_id == org_id)
    if practice is not None and practice["owner_id"]:
        owner_query = owner_query.where(known_profiles.c.user_id == practice["owner_id"])
    else:
        owner_query = owner_query.where(known_profiles.c.role == "owner")
    owner_email = session.execute(owner_query.order_by(known_profiles.c.user_id).limit(1)).scalar()
    return frozenset({email_domain(owner_email)}) if owner_email else None


class _NamedGrant:
    def __init__(self, grant_id: str, grant: AccessGrant) -> None:
        self.grant_id, self.grant = grant_id, grant


def grants_of(session: Session, user_id: str, org_id: str) -> list[AccessGrant]:
    """The grants that let ``user_id`` into ``org_id``: a grant for one practice is no
    grant for another."""
    return [g.grant for g in _named_grants(session, user_id, org_id)]


def _named_grants(session: Session, user_id: str, org_id: str) -> list[_NamedGrant]:
    query = select(access_grants).where(access_grants.c.user_id == user_id,
                                        access_grants.c.org_id == org_id)
    return [_NamedGrant(g["grant_id"], AccessGrant(g["purpose"], g["starts_at"], g["ends_at"],
                                                   g["revoked_at"]))
            for g in session.execute(query).mappings()]


def _profile(user_id: str, fields: Mapping[str, Any]) -> Profile:
    row = {**PROFILE_DEFAULTS, **fields}
    return Profile(user_id, str(row["email"]), str(row["full_name"] or ""), str(row["kind"]),
                   str(row["status"]))


def _is_vendors(email: str, vendor: Vendor) -> bool:
    return email_domain(email) in {d.lower() for d in vendor.domains}


def _user_by_email(session: Session, email: str, org_id: str | None) -> str | None:
    if not email or org_id is None:
        return None
    return session.execute(select(known_profiles.c.user_id).where(
        known_profiles.c.org_id == org_id,
        known_profiles.c.email == email.strip().lower())).scalar()

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

from audit.adapters.identity_projection import PROFILE_DEFAULTS
from audit.adapters.recognition_facts import RecognitionFacts
from audit.domain.clock import as_utc
from audit.domain.profile_history import is_complete, profile_as_of
from audit.domain.recognition import (
    MANAGE_USERS,
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

# Actors that are the platform itself (identity's CLI: create-practice, operators' commands).
PLATFORM_ACTOR_KINDS = frozenset({"system"})


def judge_profile(facts: RecognitionFacts, user_id: str, vendor: Vendor) -> Judgement | None:
    """Does the profile belong in its practice (domain, automation profile, grant)?"""
    statements = facts.statements_of(user_id)
    folded = profile_as_of(statements)
    if not is_complete(folded) or folded is None or folded["org_id"] is None:
        return None  # no practice: a recipient or vendor employee, judged on entering one
    org_id = str(folded["org_id"])
    profile = _profile(user_id, folded)
    domains = recognized_domains(facts, org_id)
    key = f"profile:{user_id}"
    if domains is None and not _is_vendors(profile.email, vendor):
        return Judgement(key, org_id, user_id, None)
    stated_at = max(as_utc(s.occurred_at) for s in statements)
    return Judgement(key, org_id, user_id, recognize_profile(
        profile, Practice(org_id, domains or frozenset()), vendor,
        list(facts.grants(user_id, org_id).values()), None, stated_at))


def judge_creation(facts: RecognitionFacts, user_id: str) -> Judgement | None:
    """Was the profile created by someone holding manage_users when they did it?"""
    creation = facts.creation(user_id)
    if creation is None or creation["created_by_kind"] in PLATFORM_ACTOR_KINDS:
        return None  # the platform itself, or no one named: nothing to judge
    folded = profile_as_of(facts.statements_of(user_id))
    if not is_complete(folded) or folded is None:
        return None
    org_id = creation["org_id"]
    key = f"creation:{user_id}"
    creator, at = creation["created_by"], creation["occurred_at"]
    if creator == user_id:
        # An invitee's own acceptance: whoever (re)sent the invitation vouched for them then.
        invitation = facts.invitation(creation["invitation_id"], org_id)
        if invitation is None:
            return Judgement(key, org_id, user_id, None)
        creator, at = invitation["sent_by"], invitation["sent_at"] or at
    creator_then = profile_as_of(facts.statements_of(creator), at)
    if creator_then is None or creator_then.get("permissions") is None:
        return Judgement(key, org_id, user_id, None)
    held = MANAGE_USERS in json.loads(str(creator_then["permissions"]))
    return Judgement(key, org_id, user_id,
                     recognize_creation(_profile(user_id, folded), Creation(creator, held)))


def judge_entry(facts: RecognitionFacts, entry: Mapping[str, Any], vendor: Vendor) -> Judgement:
    """A vendor entering a practice: under an active grant for that practice, at that moment."""
    user_id, org_id = entry["user_id"], entry["org_id"]
    key = f"entry:{entry['event_id']}"
    folded = profile_as_of(facts.statements_of(user_id))
    if is_complete(folded) and folded is not None:
        profile = _profile(user_id, folded)
    else:  # audit never saw the profile: the sign-in's own account says enough
        profile = Profile(user_id, entry["email"], "", entry["kind"], "active")
    domains = recognized_domains(facts, org_id)
    if domains is None and not _is_vendors(profile.email, vendor):
        return Judgement(key, org_id, user_id, None)
    grants = facts.grants(user_id, org_id)
    named = entry["access_grant_id"]
    if named:
        # Identity names the grant that let them in: judge by that one, once it is known
        # (a grant of another person or practice is known but lets them in nowhere here).
        if not facts.grant_is_known(named):
            return Judgement(key, org_id, user_id, None)
        grants = {named: grants[named]} if named in grants else {}
    return Judgement(key, org_id, user_id, recognize_profile(
        profile, Practice(org_id, domains or frozenset()), vendor,
        list(grants.values()), None, entry["entered_at"]))


def judge_sign_in(facts: RecognitionFacts, event_id: str, attempt: SignInAttempt
                  ) -> Judgement | None:
    """A sign-in (or attempt) to an account that was deactivated at that moment."""
    user_id = attempt.user_id or _user_by_email(facts, attempt.email, attempt.org_id)
    if user_id is None:
        return None
    then = profile_as_of(facts.statements_of(user_id), attempt.occurred_at)
    if not is_complete(then) or then is None:
        return None
    org_id = then["org_id"] or attempt.org_id
    return Judgement(f"signin:{event_id}", org_id, user_id,
                     recognize_sign_in(_profile(user_id, then), attempt))


def recognized_domains(facts: RecognitionFacts, org_id: str) -> frozenset[str] | None:
    """The practice's domains: its stated list, else its owner's domain; None: not known yet."""
    practice = facts.practice(org_id)
    if practice is not None and practice["recognized_domains"] is not None:
        return frozenset(practice["recognized_domains"])
    owner_email = facts.owner_email(org_id, practice["owner_id"] if practice else None)
    return frozenset({email_domain(owner_email)}) if owner_email else None


def _profile(user_id: str, fields: Mapping[str, Any]) -> Profile:
    row = {**PROFILE_DEFAULTS, **fields}
    return Profile(user_id, str(row["email"]), str(row["full_name"] or ""), str(row["kind"]),
                   str(row["status"]))


def _is_vendors(email: str, vendor: Vendor) -> bool:
    return email_domain(email) in {d.lower() for d in vendor.domains}


def _user_by_email(facts: RecognitionFacts, email: str, org_id: str | None) -> str | None:
    if not email or org_id is None:
        return None
    return facts.user_by_email(org_id, email)

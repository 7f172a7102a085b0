"""What identity's events tell profile recognition: the event-type knowledge lives here.

Identity's events arrive as envelopes (JSON dicts). This module reads the ones recognition
cares about into plain facts and ignores the rest, so that a new identity event type means
a change here and nowhere else:

- ``identity.practice.created``: the practice, its owner, ``data.recognized_domains`` and
  the profiles it brings with it (``data.automation_profile``);
- ``identity.user.created`` and ``identity.user.<anything>_changed`` / ``activated`` /
  ``deactivated`` / ``updated``: a profile's email, full name, kind, status, role;
- ``identity.grant.*`` / ``identity.access_grant.*`` (created, granted, revoked, ended):
  a vendor access grant;
- ``identity.session.signed_in`` / ``identity.session.sign_in_failed``: sign-in attempts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from audit.domain.clock import parse_utc
from audit.domain.signins import SignInAttempt

PROFILE_FIELDS = ("email", "full_name", "kind", "status", "role")
_GRANT_ENTITIES = frozenset({"grant", "access_grant", "vendor_access_grant"})
_STATUS_BY_VERB = {"deactivated": "deactivated", "activated": "active", "reactivated": "active"}


@dataclass(frozen=True)
class ProfileSeen:
    user_id: str
    org_id: str | None
    changes: dict[str, str] = field(default_factory=dict)  # only fields the event states


@dataclass(frozen=True)
class PracticeSeen:
    org_id: str
    name: str
    owner_id: str | None
    recognized_domains: tuple[str, ...] | None  # None: the owner's email domain
    profiles: tuple[ProfileSeen, ...] = ()


@dataclass(frozen=True)
class GrantSeen:
    grant_id: str
    user_id: str
    org_id: str | None
    purpose: str
    starts_at: datetime | None
    ends_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True)
class SignInSeen:
    attempt: SignInAttempt


IdentityFact = PracticeSeen | ProfileSeen | GrantSeen | SignInSeen


def read_identity_event(event: Mapping[str, Any]) -> IdentityFact | None:
    """The recognition fact in one identity event, or None when it has none."""
    producer, entity, verb = (event["type"].split(".") + ["", ""])[:3]
    if producer != "identity":
        return None
    data = event.get("data") or {}
    subject = event.get("subject") or {}
    org_id = event.get("org_id")
    if entity == "practice" and verb == "created":
        domains = data.get("recognized_domains")
        org_id = org_id or subject["id"]
        robot = data.get("automation_profile")
        profiles = (_profile(robot, org_id),) if isinstance(robot, dict) and robot.get("id") else ()
        return PracticeSeen(
            org_id, str(data.get("name") or ""), data.get("owner_id"),
            tuple(str(d) for d in domains) if isinstance(domains, list) else None, profiles,
        )
    if entity == "user" and _is_profile_verb(verb):
        changes = {k: str(data[k]) for k in PROFILE_FIELDS if data.get(k) is not None}
        if verb in _STATUS_BY_VERB:
            changes.setdefault("status", _STATUS_BY_VERB[verb])
        user_id = str(data.get("user_id") or subject["id"])
        return ProfileSeen(user_id, org_id, changes)
    if entity in _GRANT_ENTITIES:
        return _grant(event, data, verb)
    if entity == "session" and verb in ("signed_in", "sign_in_failed"):
        actor = event.get("actor") or {}
        email = data.get("email") or actor.get("email") or ""
        user_id = data.get("user_id") or (actor.get("id") if verb == "signed_in" else None)
        return SignInSeen(SignInAttempt(
            str(email), org_id, parse_utc(event["occurred_at"], "occurred_at"),
            succeeded=verb == "signed_in", user_id=str(user_id) if user_id else None,
        ))
    return None


def _profile(data: Mapping[str, Any], org_id: str) -> ProfileSeen:
    changes = {k: str(data[k]) for k in PROFILE_FIELDS if data.get(k) is not None}
    changes.setdefault("status", "active")
    return ProfileSeen(str(data["id"]), org_id, changes)


def _is_profile_verb(verb: str) -> bool:
    return verb in ("created", "updated") or verb.endswith("changed") or verb in _STATUS_BY_VERB


def _grant(event: Mapping[str, Any], data: Mapping[str, Any], verb: str) -> GrantSeen | None:
    user_id = data.get("user_id") or data.get("grantee_id")
    if not user_id:
        return None
    revoked = data.get("revoked_at")
    if verb in ("revoked", "ended") and not revoked:
        revoked = event["occurred_at"]
    return GrantSeen(
        str(data.get("grant_id") or event["subject"]["id"]), str(user_id), event.get("org_id"),
        str(data.get("purpose") or ""), _when(data.get("starts_at")), _when(data.get("ends_at")),
        _when(revoked),
    )


def _when(value: Any) -> datetime | None:
    return parse_utc(value, "grant time") if isinstance(value, str) and value else None

"""What identity's events tell profile recognition: the event-type knowledge lives here.

Identity's events arrive as envelopes (JSON dicts). This module reads the ones recognition
cares about into plain facts and ignores the rest, so that a new identity event type means
a change here and nowhere else. Each field is read under the name identity's definition
gives it (services/identity/asyncapi.json), never under a guessed alias:

- ``identity.practice.created``: the practice, its owner, ``data.recognized_domains`` and
  the profiles it brings with it (``data.automation_profile``);
  ``identity.practice.recognized_domains_changed`` replaces the domain list (its
  ``data.recognized_domains``) as of its time;
- ``identity.user.created`` and ``identity.user.<anything>_changed`` / ``deactivated`` /
  ``reactivated`` / ``updated``: a profile's email, full name, kind, status, role and
  permissions (``data.permissions`` of a creation, ``data.after.permissions`` of a
  change); a creation also says who created it (the envelope's actor, and
  ``data.invitation_id`` when the invitee's acceptance created the profile);
- ``identity.recipient.registered`` and ``identity.vendor_staff.created``: profiles that
  belong to no practice (document-portal recipients, the vendor's own staff);
- ``identity.invitation.sent`` / ``resent``: who invited, for the creation that follows;
- ``identity.access_grant.granted`` / ``revoked`` / ``used``: a vendor access grant;
  ``used`` is also a vendor's sign-in to the grant's practice;
- ``identity.session.signed_in`` (who: the actor) / ``identity.session.sign_in_failed``
  (who: ``data.email``, ``data.user_id`` when identity knew the account): sign-in attempts.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from audit.domain.clock import parse_utc
from audit.domain.signins import SignInAttempt

PROFILE_FIELDS = ("email", "full_name", "kind", "status", "role", "permission_version")
_STATUS_BY_VERB = {"deactivated": "deactivated", "reactivated": "active"}
DOMAINS_CHANGED = "identity.practice.recognized_domains_changed"


@dataclass(frozen=True)
class CreationSeen:
    """Who created a profile: the event's actor; an invitee's acceptance names the invitation."""

    actor_id: str | None
    actor_kind: str | None
    invitation_id: str | None = None


@dataclass(frozen=True)
class ProfileSeen:
    user_id: str
    org_id: str | None
    # Only the fields the event states; ``permissions`` is a JSON list of names.
    changes: dict[str, str] = field(default_factory=dict)
    creation: CreationSeen | None = None  # set on identity.user.created only
    event_id: str = ""
    occurred_at: datetime | None = None


@dataclass(frozen=True)
class InvitationSeen:
    invitation_id: str
    org_id: str
    sent_by: str
    sent_at: datetime | None = None


@dataclass(frozen=True)
class PracticeSeen:
    org_id: str
    name: str
    owner_id: str | None
    recognized_domains: tuple[str, ...] | None  # None: the owner's email domain
    profiles: tuple[ProfileSeen, ...] = ()
    occurred_at: datetime | None = None


@dataclass(frozen=True)
class DomainsSeen:
    """The practice's recognized domains as identity stated them at ``occurred_at``."""

    org_id: str
    recognized_domains: tuple[str, ...]
    occurred_at: datetime


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
    event_id: str = ""
    kind: str | None = None  # the account's kind (vendor, staff...) as the event states it
    access_grant_id: str | None = None  # the grant identity let a vendor in under
    email: str = ""  # the signer's address as the event states it (data, else actor)


@dataclass(frozen=True)
class GrantUsed:
    """A vendor employee entered a practice under a grant: both a grant and a sign-in."""

    grant: GrantSeen
    attempt: SignInAttempt


IdentityFact = (PracticeSeen | DomainsSeen | ProfileSeen | GrantSeen | SignInSeen | GrantUsed
                | InvitationSeen)
_PRACTICELESS = {("recipient", "registered"): "recipient",
                 ("vendor_staff", "created"): "vendor"}


def read_identity_event(event: Mapping[str, Any]) -> IdentityFact | None:
    """The recognition fact in one identity event, or None when it has none."""
    producer, entity, verb = (event["type"].split(".") + ["", ""])[:3]
    if producer != "identity":
        return None
    data = event.get("data") or {}
    subject = event.get("subject") or {}
    org_id = event.get("org_id")
    at = parse_utc(event["occurred_at"], "occurred_at")
    if entity == "practice" and verb == "created":
        domains = data.get("recognized_domains")
        org_id = org_id or subject["id"]
        robot = data.get("automation_profile")
        profiles = ((_profile(robot, org_id, event["id"], at),)
                    if isinstance(robot, dict) and robot.get("id") else ())
        return PracticeSeen(
            org_id, str(data.get("name") or ""), data.get("owner_id"),
            tuple(str(d) for d in domains) if isinstance(domains, list) else None, profiles, at,
        )
    if event["type"] == DOMAINS_CHANGED:
        domains = data["recognized_domains"]
        return DomainsSeen(str(org_id or subject["id"]), tuple(str(d) for d in domains), at)
    if entity == "user" and _is_profile_verb(verb):
        changes = _profile_changes(data)
        if verb in _STATUS_BY_VERB:
            changes.setdefault("status", _STATUS_BY_VERB[verb])
        user_id = str(subject["id"])  # the subject of every identity.user.* is the user
        creation = None
        if verb == "created":
            actor = event.get("actor") or {}
            invitation = data.get("invitation_id")
            creation = CreationSeen(actor.get("id"), actor.get("kind"),
                                    str(invitation) if invitation else None)
        return ProfileSeen(user_id, org_id, changes, creation, event["id"], at)
    if (entity, verb) in _PRACTICELESS:
        changes = _profile_changes(data)
        changes.setdefault("kind", _PRACTICELESS[(entity, verb)])
        changes.setdefault("status", "active")
        return ProfileSeen(str(data["user_id"]), None, changes, None, event["id"], at)
    if entity == "invitation" and verb in ("sent", "resent"):
        actor = event.get("actor") or {}
        if not org_id or not actor.get("id"):
            return None
        return InvitationSeen(str(subject["id"]), org_id, str(actor["id"]), at)
    if entity == "access_grant":
        grant = _grant(event, data, verb)
        if verb == "used" and grant is not None and grant.org_id:
            return GrantUsed(grant, SignInAttempt(
                str(data.get("email") or ""), grant.org_id, at, succeeded=True,
                user_id=grant.user_id))
        return grant
    if entity == "session" and verb in ("signed_in", "sign_in_failed"):
        actor = event.get("actor") or {}
        if verb == "signed_in":  # the actor is who signed in
            email, account_id = actor.get("email") or "", actor.get("id")
        else:  # refused: identity names the address tried, and the account when it knew it
            email, account_id = data.get("email") or "", data.get("user_id")
        kind = data.get("account")
        grant_id = data.get("access_grant_id")
        return SignInSeen(SignInAttempt(
            str(email), org_id, at, succeeded=verb == "signed_in",
            user_id=str(account_id) if account_id else None,
        ), event["id"], str(kind) if kind else None, str(grant_id) if grant_id else None,
            str(email).strip().lower())
    return None


def _profile_changes(data: Mapping[str, Any]) -> dict[str, str]:
    changes = {k: str(data[k]) for k in PROFILE_FIELDS if data.get(k) is not None}
    # A creation states the permissions; a change states them as they are after it.
    after = data.get("after")
    permissions = data.get("permissions")
    if "permissions" not in data and isinstance(after, Mapping):
        permissions = after.get("permissions")
    if isinstance(permissions, list):
        changes["permissions"] = json.dumps(sorted({str(p) for p in permissions}))
    return changes


def _profile(data: Mapping[str, Any], org_id: str, event_id: str, at: datetime) -> ProfileSeen:
    changes = {k: str(data[k]) for k in PROFILE_FIELDS if data.get(k) is not None}
    changes.setdefault("status", "active")
    # One statement per profile the event brings, each with an id of its own.
    statement_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{event_id}/{data['id']}"))
    return ProfileSeen(str(data["id"]), org_id, changes, None, statement_id, at)


def _is_profile_verb(verb: str) -> bool:
    return verb in ("created", "updated") or verb.endswith("changed") or verb in _STATUS_BY_VERB


def _grant(event: Mapping[str, Any], data: Mapping[str, Any], verb: str) -> GrantSeen | None:
    user_id = data.get("user_id")
    if not user_id:
        return None
    revoked = data.get("revoked_at")
    if verb == "revoked" and not revoked:
        revoked = event["occurred_at"]
    return GrantSeen(
        str(event["subject"]["id"]), str(user_id), event.get("org_id"),
        str(data.get("purpose") or ""), _when(data.get("starts_at")), _when(data.get("ends_at")),
        _when(revoked),
    )


def _when(value: Any) -> datetime | None:
    return parse_utc(value, "grant time") if isinstance(value, str) and value else None

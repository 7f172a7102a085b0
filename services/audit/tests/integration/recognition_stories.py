"""Scripted stories of identity's events, each in a practice of its own, with what audit
should be left holding once every event of the story has arrived (in whatever order)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from audit_harness import SYSTEM, new_id

from servicekit.messaging.envelope import Actor, Event, Subject, new_event

VENDOR_DOMAIN = "clinicplatform.example"
OWNER_PERMISSIONS = ["manage_users", "view_audit", "view_patients"]


@dataclass
class Story:
    name: str
    org: str = field(default_factory=new_id)
    owner: str = field(default_factory=new_id)
    start: datetime = field(default_factory=lambda: datetime.now(UTC) - timedelta(minutes=10))
    events: list[Event] = field(default_factory=list)
    expected: set[tuple[str, str]] = field(default_factory=set)  # (profile id, reason) open

    def at(self, seconds: float) -> datetime:
        return self.start + timedelta(seconds=seconds)

    def happens(self, seconds: float, type_: str, subject: tuple[str, str], *,
                actor: Actor | None = None, org_id: str | None | bool = True,
                **data: Any) -> None:
        self.events.append(new_event(
            type_, subject=Subject(*subject), org_id=self.org if org_id is True else org_id or None,
            actor=actor, occurred_at=self.at(seconds), data=data))

    def a_practice(self, domains: list[str] | None = None) -> Story:
        extra = {"recognized_domains": domains} if domains is not None else {}
        self.happens(0, "identity.practice.created", ("practice", self.org), actor=SYSTEM,
                     name="Sunrise PT", owner_id=self.owner, **extra)
        self.happens(0.1, "identity.user.created", ("user", self.owner), actor=SYSTEM,
                     email="owner@sunrise.example", full_name="Olive Owner", kind="staff",
                     role="owner", status="active", permissions=OWNER_PERMISSIONS,
                     permission_version=1)
        return self

    def creates(self, seconds: float, creator: str, user_id: str, email: str,
                **data: Any) -> None:
        self.happens(seconds, "identity.user.created", ("user", user_id),
                     actor=Actor(id=creator, kind="staff"),
                     **{"email": email, "full_name": "New Person", "kind": "staff",
                        "status": "active", "permissions": ["view_patients"],
                        "permission_version": 1, **data})

    def vendor_grant(self, seconds: float, verb: str, member: str, grant_id: str,
                     **data: Any) -> None:
        self.happens(seconds, f"identity.access_grant.{verb}", ("access_grant", grant_id),
                     actor=_vendor(member if verb == "used" else new_id()),
                     grant_id=grant_id, user_id=member, email=f"sam@{VENDOR_DOMAIN}",
                     kind="vendor", purpose="revenue cycle management",
                     starts_at=self.at(1).isoformat(), ends_at=self.at(3600).isoformat(),
                     **data)


def _vendor(user_id: str) -> Actor:
    return Actor(id=user_id, email=f"sam@{VENDOR_DOMAIN}", kind="vendor")


def vendor_granted_and_signing_in() -> Story:
    story, member, grant = Story("vendor granted and signing in").a_practice(), new_id(), new_id()
    story.happens(0.5, "identity.vendor_staff.created", ("user", member), actor=SYSTEM,
                  org_id=None, user_id=member, email=f"sam@{VENDOR_DOMAIN}",
                  full_name="Sam Support", kind="vendor", status="active")
    story.vendor_grant(1, "granted", member, grant)
    story.happens(2, "identity.session.signed_in", ("user", member), actor=_vendor(member),
                  session_id=new_id(), account="vendor", access_grant_id=grant)
    story.vendor_grant(2, "used", member, grant, session_id=new_id())
    return story


def vendor_signing_in_without_a_grant_here() -> Story:
    """A grant for another practice lets the vendor into none but that one."""
    story, member, grant = Story("vendor without a grant here").a_practice(), new_id(), new_id()
    story.events.append(new_event(
        "identity.access_grant.granted", subject=Subject("access_grant", grant),
        org_id=new_id(), actor=_vendor(new_id()), occurred_at=story.at(1),
        data={"grant_id": grant, "user_id": member, "purpose": "support",
              "starts_at": story.at(0).isoformat(), "ends_at": story.at(3600).isoformat()}))
    story.happens(2, "identity.session.signed_in", ("user", member), actor=_vendor(member),
                  session_id=new_id(), account="vendor")
    story.expected = {(member, "vendor_profile_without_grant")}
    return story


def user_invited_and_accepting() -> Story:
    story, invitee, invitation = Story("invited and accepting").a_practice(), new_id(), new_id()
    story.happens(1, "identity.invitation.sent", ("invitation", invitation),
                  actor=Actor(id=story.owner, kind="staff"), email="new@sunrise.example")
    story.creates(2, invitee, invitee, "new@sunrise.example", invitation_id=invitation)
    return story


def domain_added_and_user_created_on_it() -> Story:
    story = Story("domain added").a_practice(domains=["sunrise.example"])
    story.happens(1, "identity.practice.recognized_domains_changed", ("practice", story.org),
                  actor=Actor(id=story.owner, kind="staff"),
                  recognized_domains=["sunrise.example", "sunrise-rehab.example"],
                  before={"recognized_domains": ["sunrise.example"]},
                  after={"recognized_domains": ["sunrise.example", "sunrise-rehab.example"]})
    story.creates(2, story.owner, new_id(), "ann@sunrise-rehab.example")
    return story


def permission_granted_then_user_created_by_that_person() -> Story:
    story, clerk = Story("manage_users granted").a_practice(), new_id()
    story.creates(1, story.owner, clerk, "clerk@sunrise.example")
    story.happens(2, "identity.user.permissions_changed", ("user", clerk),
                  actor=Actor(id=story.owner, kind="staff"),
                  before={"permissions": ["view_patients"]},
                  after={"permissions": ["manage_users", "view_patients"]},
                  permission_version=2)
    story.creates(3, clerk, new_id(), "friend@sunrise.example")
    return story


def permission_revoked_then_user_created_by_that_person() -> Story:
    story, admin, made = Story("manage_users revoked").a_practice(), new_id(), new_id()
    story.creates(1, story.owner, admin, "admin@sunrise.example",
                  permissions=["manage_users", "view_patients"])
    story.happens(2, "identity.user.permissions_changed", ("user", admin),
                  actor=Actor(id=story.owner, kind="staff"),
                  before={"permissions": ["manage_users", "view_patients"]},
                  after={"permissions": ["view_patients"]}, permission_version=2)
    story.creates(3, admin, made, "friend@sunrise.example")
    story.expected = {(made, "created_without_manage_users")}
    return story


def unrecognized_user_added() -> Story:
    story, stranger = Story("unrecognized user").a_practice(), new_id()
    story.creates(1, story.owner, stranger, "someone@gmail.example")
    story.expected = {(stranger, "unrecognized_domain")}
    return story


STORIES = (vendor_granted_and_signing_in, vendor_signing_in_without_a_grant_here,
           user_invited_and_accepting, domain_added_and_user_created_on_it,
           permission_granted_then_user_created_by_that_person,
           permission_revoked_then_user_created_by_that_person, unrecognized_user_added)

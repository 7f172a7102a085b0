"""Recognition of profiles of no practice (recipients, vendor staff), vendor sign-ins under
grants, and users created by someone without manage_users."""

from datetime import UTC, datetime, timedelta

import pytest
from audit_harness import SYSTEM, new_id, practice_created, user_created
from sqlalchemy import select

from audit.adapters.tables import alerts, known_profiles
from servicekit.messaging.envelope import Actor, Subject, new_event

pytestmark = pytest.mark.integration
VENDOR_DOMAIN = "clinicplatform.example"
NOW = datetime.now(UTC)


def stored_alerts(audit):
    with audit.engine.connect() as conn:
        return conn.execute(select(alerts).order_by(alerts.c.raised_at)).mappings().all()


def profile(audit, user_id):
    with audit.engine.connect() as conn:
        return conn.execute(select(known_profiles).where(
            known_profiles.c.user_id == user_id)).mappings().first()


def practiceless(event_type, user_id, email, kind, full_name="Sam Support"):
    return new_event(event_type, subject=Subject("user", user_id), org_id=None,
                     actor=SYSTEM if kind == "vendor" else Actor(id=user_id, kind=kind),
                     data={"user_id": user_id, "email": email, "full_name": full_name,
                           "kind": kind, "status": "active"})


def vendor_actor(user_id):
    return Actor(id=user_id, email=f"sam@{VENDOR_DOMAIN}", kind="vendor")


def grant(verb, org, user_id, grant_id, **data):
    return new_event(f"identity.access_grant.{verb}", subject=Subject("access_grant", grant_id),
                     org_id=org, actor=vendor_actor(new_id()), data={
                         "grant_id": grant_id, "user_id": user_id,
                         "email": f"sam@{VENDOR_DOMAIN}", "kind": "vendor",
                         "purpose": "support ticket 42",
                         "starts_at": (NOW - timedelta(hours=1)).isoformat(),
                         "ends_at": (NOW + timedelta(hours=4)).isoformat(), **data})


def signed_in(org, user_id, **data):
    return new_event("identity.session.signed_in", subject=Subject("user", user_id),
                     org_id=org, actor=vendor_actor(user_id),
                     data={"session_id": new_id(), "account": "vendor", **data})


def created_by(org, user_id, email, actor_id, **data):
    return new_event("identity.user.created", subject=Subject("user", user_id), org_id=org,
                     actor=Actor(id=actor_id, kind="staff"),
                     data={"email": email, "full_name": "New Person", "kind": "staff",
                           "status": "active", "permissions": ["view_patients"], **data})


@pytest.fixture
def practice(feed):
    org, owner = new_id(), new_id()
    feed(practice_created(org, owner), new_event(
        "identity.user.created", subject=Subject("user", owner), org_id=org, actor=SYSTEM,
        data={"email": "owner@sunrise.example", "full_name": "Olive Owner", "kind": "staff",
              "role": "owner", "status": "active",
              "permissions": ["manage_users", "view_audit", "view_patients"]}))
    return {"org": org, "owner": owner}


def test_a_registered_recipient_is_recorded_and_never_alerted(audit, feed, practice):
    recipient = new_id()
    feed(practiceless("identity.recipient.registered", recipient, "dr.lee@hospital.example",
                      "recipient", "Dr Lee"),
         new_event("identity.session.signed_in", subject=Subject("user", recipient),
                   org_id=None, actor=Actor(id=recipient, kind="recipient"),
                   data={"account": "recipient"}))
    row = profile(audit, recipient)
    assert (row["org_id"], row["kind"], row["email"]) == (None, "recipient",
                                                          "dr.lee@hospital.example")
    assert stored_alerts(audit) == []


def test_vendor_staff_entering_a_practice_under_its_grant_is_recognized(audit, feed, practice):
    member, grant_id = new_id(), new_id()
    feed(practiceless("identity.vendor_staff.created", member, f"sam@{VENDOR_DOMAIN}", "vendor"),
         grant("granted", practice["org"], member, grant_id),
         signed_in(practice["org"], member, access_grant_id=grant_id),
         grant("used", practice["org"], member, grant_id))
    assert profile(audit, member)["kind"] == "vendor"
    assert stored_alerts(audit) == []


def test_a_grant_for_one_practice_does_not_let_vendor_staff_into_another(
        audit, feed, practice):
    member, other_org = new_id(), new_id()
    feed(practice_created(other_org, new_id(), recognized_domains=["other.example"]),
         practiceless("identity.vendor_staff.created", member, f"sam@{VENDOR_DOMAIN}", "vendor"),
         grant("granted", practice["org"], member, new_id()),
         signed_in(other_org, member))
    [alert] = stored_alerts(audit)
    assert (alert["reason"], alert["org_id"], alert["profile_id"]) == (
        "vendor_profile_without_grant", other_org, member)


def test_a_vendor_sign_in_after_the_grant_was_revoked_is_an_alert(audit, feed, practice):
    member, grant_id = new_id(), new_id()
    feed(practiceless("identity.vendor_staff.created", member, f"sam@{VENDOR_DOMAIN}", "vendor"),
         grant("granted", practice["org"], member, grant_id),
         grant("revoked", practice["org"], member, grant_id, revoked_at=NOW.isoformat()))
    assert stored_alerts(audit) == []
    feed(grant("used", practice["org"], member, grant_id))
    [alert] = stored_alerts(audit)
    assert (alert["reason"], alert["severity"], alert["org_id"]) == (
        "vendor_profile_without_grant", "high", practice["org"])


def test_a_vendor_audit_never_saw_created_is_judged_by_its_sign_in(audit, feed, practice):
    stranger = new_id()
    feed(signed_in(practice["org"], stranger))
    [alert] = stored_alerts(audit)
    assert (alert["reason"], alert["profile_id"]) == ("vendor_profile_without_grant", stranger)


def test_a_refused_vendor_attempt_counts_toward_bursts_only(audit, feed, practice):
    member = new_id()
    feed(practiceless("identity.vendor_staff.created", member, f"sam@{VENDOR_DOMAIN}", "vendor"),
         new_event("identity.session.sign_in_failed", subject=Subject("sign_in", new_id()),
                   org_id=practice["org"], data={"email": f"sam@{VENDOR_DOMAIN}",
                                                 "user_id": member,
                                                 "reason": "no_active_access_grant"}))
    assert stored_alerts(audit) == []


def test_a_user_created_by_a_user_manager_is_recognized(audit, feed, practice):
    feed(created_by(practice["org"], new_id(), "ann@sunrise.example", practice["owner"]))
    assert stored_alerts(audit) == []


def test_a_user_created_by_someone_without_manage_users_is_a_critical_alert(
        audit, feed, practice):
    clerk, made = new_id(), new_id()
    feed(created_by(practice["org"], clerk, "clerk@sunrise.example", practice["owner"]),
         created_by(practice["org"], made, "friend@sunrise.example", clerk))
    [alert] = stored_alerts(audit)
    assert (alert["reason"], alert["severity"], alert["profile_id"]) == (
        "created_without_manage_users", "critical", made)
    assert clerk in alert["message"]


def test_a_revoked_manage_users_is_what_counts_at_the_creation(audit, feed, practice):
    admin = new_id()
    feed(created_by(practice["org"], admin, "admin@sunrise.example", practice["owner"],
                    permissions=["manage_users"]),
         new_event("identity.user.permissions_changed", subject=Subject("user", admin),
                   org_id=practice["org"], actor=Actor(id=practice["owner"], kind="staff"),
                   data={"before": {"permissions": ["manage_users"]},
                         "after": {"permissions": ["view_patients"]}}))
    assert stored_alerts(audit) == []
    feed(created_by(practice["org"], new_id(), "late@sunrise.example", admin))
    assert [a["reason"] for a in stored_alerts(audit)] == ["created_without_manage_users"]


@pytest.mark.parametrize("inviter_perms, alerted", [
    (["manage_users"], False), (["view_patients"], True)])
def test_an_accepted_invitation_is_judged_by_who_invited(
        audit, feed, practice, inviter_perms, alerted):
    inviter, invitee, invitation = new_id(), new_id(), new_id()
    feed(created_by(practice["org"], inviter, "inviter@sunrise.example", practice["owner"],
                    permissions=inviter_perms),
         new_event("identity.invitation.sent", subject=Subject("invitation", invitation),
                   org_id=practice["org"], actor=Actor(id=inviter, kind="staff"),
                   data={"email": "new@sunrise.example"}),
         created_by(practice["org"], invitee, "new@sunrise.example", invitee,
                    invitation_id=invitation))
    assert [a["profile_id"] for a in stored_alerts(audit)] == ([invitee] if alerted else [])


def test_a_creator_whose_permissions_audit_never_saw_is_not_judged(audit, feed, practice):
    feed(user_created(practice["org"], new_id(), "x@sunrise.example"),  # no permissions
         created_by(practice["org"], new_id(), "y@sunrise.example", new_id()))
    assert stored_alerts(audit) == []

"""Which identity events feed profile recognition, and what they say."""

from datetime import UTC, datetime

from audit.domain.identity_events import (
    CreationSeen,
    DomainsSeen,
    GrantSeen,
    GrantUsed,
    InvitationSeen,
    PracticeSeen,
    ProfileSeen,
    SignInSeen,
    read_identity_event,
)

AT = "2026-11-23T09:00:00+00:00"
WHEN = datetime(2026, 11, 23, 9, tzinfo=UTC)


def envelope(type_, data, subject=("user", "u-1"), actor=None, org_id="o-1"):
    return {"id": "e-1", "type": type_, "org_id": org_id, "occurred_at": AT,
            "subject": {"type": subject[0], "id": subject[1]}, "actor": actor, "data": data}


def test_practice_created_carries_its_domains_and_automation_profile():
    fact = read_identity_event(envelope("identity.practice.created", {
        "name": "Sunrise", "owner_id": "u-1", "recognized_domains": ["Sunrise.example"],
        "automation_profile": {"id": "u-9", "email": "a@v.example", "full_name": "V Automation",
                               "kind": "automation"}}, subject=("practice", "o-1")))
    assert isinstance(fact, PracticeSeen)
    assert (fact.owner_id, fact.recognized_domains) == ("u-1", ("Sunrise.example",))
    [robot] = fact.profiles
    assert robot.user_id == "u-9" and robot.changes["kind"] == "automation"


def test_practice_without_a_domain_list_falls_back_to_the_owner():
    fact = read_identity_event(envelope("identity.practice.created", {"owner_id": "u-1"}))
    assert fact.recognized_domains is None


def test_any_user_change_event_updates_only_the_fields_it_states():
    fact = read_identity_event(envelope("identity.user.type_changed",
                                        {"user_type_after": "OT", "kind": "staff"}))
    assert fact == ProfileSeen("u-1", "o-1", {"kind": "staff"}, None, "e-1", WHEN)


def test_a_permission_change_keeps_the_permissions_after_it():
    fact = read_identity_event(envelope("identity.user.permissions_changed", {
        "before": {"permissions": ["view_patients"]},
        "after": {"permissions": ["view_patients", "manage_users"]}}))
    assert fact == ProfileSeen("u-1", "o-1", {"permissions": '["manage_users", "view_patients"]'},
                               None, "e-1", WHEN)


def test_a_created_user_names_its_creator_and_permissions():
    fact = read_identity_event(envelope(
        "identity.user.created", {"email": "a@x.example", "permissions": ["view_audit"],
                                  "invitation_id": "inv-1"},
        actor={"id": "u-admin", "kind": "staff"}))
    assert fact.changes["permissions"] == '["view_audit"]'
    assert fact.creation == CreationSeen("u-admin", "staff", "inv-1")


def test_recipients_and_vendor_staff_are_profiles_of_no_practice():
    recipient = read_identity_event(envelope(
        "identity.recipient.registered", {"user_id": "u-5", "email": "dr@clinic.example",
                                          "full_name": "Dr Lee", "kind": "recipient"},
        org_id=None))
    staff = read_identity_event(envelope(
        "identity.vendor_staff.created", {"user_id": "u-6", "email": "sam@v.example",
                                          "full_name": "Sam", "kind": "vendor"}, org_id=None))
    assert (recipient.user_id, recipient.org_id, recipient.changes["kind"]) == (
        "u-5", None, "recipient")
    assert (staff.user_id, staff.org_id, staff.changes["kind"]) == ("u-6", None, "vendor")
    assert recipient.creation is None and staff.creation is None


def test_an_invitation_remembers_who_sent_it():
    fact = read_identity_event(envelope("identity.invitation.resent", {},
                                        subject=("invitation", "inv-1"),
                                        actor={"id": "u-admin", "kind": "staff"}))
    assert fact == InvitationSeen("inv-1", "o-1", "u-admin", WHEN)


def test_a_used_grant_is_a_sign_in_to_its_practice():
    fact = read_identity_event(envelope("identity.access_grant.used", {
        "grant_id": "g-1", "user_id": "u-6", "email": "sam@v.example", "purpose": "support",
        "starts_at": AT, "ends_at": "2026-11-24T09:00:00+00:00"},
        subject=("access_grant", "g-1"), actor={"id": "u-6", "kind": "vendor"}))
    assert isinstance(fact, GrantUsed)
    assert (fact.grant.grant_id, fact.grant.org_id) == ("g-1", "o-1")
    assert (fact.attempt.user_id, fact.attempt.org_id, fact.attempt.succeeded) == (
        "u-6", "o-1", True)


def test_a_deactivation_sets_the_status():
    fact = read_identity_event(envelope("identity.user.deactivated", {}))
    assert fact.changes == {"status": "deactivated"}


def test_a_grant_revocation_takes_the_event_time_when_it_states_none():
    fact = read_identity_event(envelope("identity.access_grant.revoked", {"user_id": "u-2"},
                                        subject=("access_grant", "g-1")))
    assert isinstance(fact, GrantSeen)
    assert fact.revoked_at == datetime(2026, 11, 23, 9, tzinfo=UTC)


def test_a_failed_sign_in_is_an_attempt_by_email():
    fact = read_identity_event(envelope("identity.session.sign_in_failed",
                                        {"email": "ann@x.example"}, subject=("sign_in", "s")))
    assert isinstance(fact, SignInSeen)
    assert (fact.attempt.email, fact.attempt.succeeded, fact.attempt.user_id) == (
        "ann@x.example", False, None)


def test_a_sign_in_names_its_user_from_the_actor():
    fact = read_identity_event(envelope("identity.session.signed_in", {},
                                        actor={"id": "u-3", "kind": "staff"}))
    assert fact.attempt.user_id == "u-3" and fact.attempt.succeeded


def test_other_events_are_not_recognition_facts():
    assert read_identity_event(envelope("notes.note.viewed", {})) is None
    assert read_identity_event(envelope("identity.clinic.created", {})) is None


def test_a_change_of_the_recognized_domains_replaces_them_as_of_its_time():
    fact = read_identity_event(envelope("identity.practice.recognized_domains_changed", {
        "recognized_domains": ["a.example", "b.example"],
        "before": {"recognized_domains": ["a.example"]},
        "after": {"recognized_domains": ["a.example", "b.example"]}},
        subject=("practice", "o-1")))
    assert fact == DomainsSeen("o-1", ("a.example", "b.example"), WHEN)


def test_fields_and_types_identity_does_not_define_are_not_read():
    # Names identity never sends: audit reads its definitions, it does not guess.
    assert read_identity_event(envelope("identity.grant.created", {"user_id": "u-2"},
                                        subject=("grant", "g-1"))) is None
    assert read_identity_event(envelope("identity.access_grant.granted", {"grantee_id": "u-2"},
                                        subject=("access_grant", "g-1"))) is None
    assert read_identity_event(envelope("identity.practice.info_changed", {
        "changed_fields": ["name"], "name": "X", "recognized_domains": ["a.example"]},
        subject=("practice", "o-1"))) is None
    signed_in = read_identity_event(envelope(
        "identity.session.signed_in", {"account": "staff", "email": "other@x.example",
                                       "kind": "vendor"},
        actor={"id": "u-3", "kind": "staff", "email": "ann@x.example"}))
    assert (signed_in.email, signed_in.kind) == ("ann@x.example", "staff")


def test_a_vendor_sign_in_names_the_grant_that_let_them_in():
    fact = read_identity_event(envelope(
        "identity.session.signed_in", {"account": "vendor", "access_grant_id": "g-1"},
        actor={"id": "u-7", "kind": "vendor", "email": "Sam@V.example"}))
    assert (fact.access_grant_id, fact.kind, fact.email, fact.event_id) == (
        "g-1", "vendor", "sam@v.example", "e-1")

"""Which identity events feed profile recognition, and what they say."""

from datetime import UTC, datetime

from audit.domain.identity_events import (
    GrantSeen,
    PracticeSeen,
    ProfileSeen,
    SignInSeen,
    read_identity_event,
)

AT = "2026-11-23T09:00:00+00:00"


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
    fact = read_identity_event(envelope("identity.user.permissions_changed",
                                        {"permissions": ["view_audit"], "kind": "staff"}))
    assert fact == ProfileSeen("u-1", "o-1", {"kind": "staff"})


def test_a_deactivation_sets_the_status():
    fact = read_identity_event(envelope("identity.user.deactivated", {}))
    assert fact.changes == {"status": "deactivated"}


def test_a_grant_revocation_takes_the_event_time_when_it_states_none():
    fact = read_identity_event(envelope("identity.access_grant.revoked", {"user_id": "u-2"},
                                        subject=("grant", "g-1")))
    assert isinstance(fact, GrantSeen)
    assert fact.revoked_at == datetime(2026, 11, 23, 9, tzinfo=UTC)


def test_a_failed_sign_in_is_an_attempt_by_email():
    fact = read_identity_event(envelope("identity.session.sign_in_failed",
                                        {"email": "ann@x.example"}, subject=("session", "s")))
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

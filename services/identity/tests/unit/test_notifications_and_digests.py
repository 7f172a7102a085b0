"""Who is mailed what, as the dental seed (shared/seeds/004) says it:

- Practice Owner/Manager: "By default receives all notifications for Proceed with Treatment
  plan"; "Receives Practice Digest"; Admin by default ("Digests - receive Practice Digests,
  weekly by default and daily if selected" is Admin-only).
- Practitioner: "Receives Practitioner Digests" (their own figures).
- DA/Front Desk: "By default receives all notifications for Payment Plan requests/acceptance,
  and Proceed with Plan"; "Digests not available for this role".
"""

from datetime import UTC, date, datetime

import pytest

from identity.domain.activity import (
    DOCUMENTS_VIEWED,
    NOTES_FINALIZED,
    PLANS_PROCEEDED,
    PLANS_SENT,
    tallies_of,
)
from identity.domain.digests import (
    DAILY,
    PRACTICE_DIGEST,
    PRACTITIONER_DIGEST,
    WEEKLY,
    Figure,
    Period,
    digests_for,
    figure_lines,
    last_ended_period,
    period_in_course,
)
from identity.domain.errors import InvalidRequest
from identity.domain.notifications import Choices, changed_choices, effective_choices, is_notified
from identity.domain.roles import PermissionLevel, PracticeRole, role_profile
from servicekit.messaging.envelope import Actor, Subject, new_event

OWNER = role_profile(PracticeRole.OWNER_MANAGER, PermissionLevel.ADMIN)
PRACTITIONER = role_profile(PracticeRole.PRACTITIONER, PermissionLevel.USER)
ADMIN_PRACTITIONER = role_profile(PracticeRole.PRACTITIONER, PermissionLevel.ADMIN)
FRONT_DESK = role_profile(PracticeRole.FRONT_DESK, PermissionLevel.USER)
ADMIN_FRONT_DESK = role_profile(PracticeRole.FRONT_DESK, PermissionLevel.ADMIN)

PROCEEDED = "notes.treatment_plan.proceeded"
REQUESTED = "notes.treatment_plan.payment_plan_requested"
ACCEPTED = "notes.treatment_plan.payment_plan_accepted"


def defaults(profile):
    return effective_choices(profile, None)


def notified(profile, event_type, *, own=False, choices=None):
    return is_notified(event_type, profile, choices or defaults(profile), user_id="me",
                       practitioner_user_id="me" if own else "someone-else")


def test_the_owner_gets_every_proceed_with_treatment_plan_by_default_and_no_payment_plans():
    assert notified(OWNER, PROCEEDED)
    assert not notified(OWNER, REQUESTED)
    assert not notified(OWNER, ACCEPTED)


def test_front_desk_gets_payment_plan_requests_acceptances_and_proceed_with_plan():
    assert notified(FRONT_DESK, PROCEEDED)
    assert notified(FRONT_DESK, REQUESTED)
    assert notified(FRONT_DESK, ACCEPTED)


def test_a_practitioner_gets_no_notification_by_default():
    for event_type in (PROCEEDED, REQUESTED, ACCEPTED):
        assert not notified(PRACTITIONER, event_type, own=True)


def test_a_practitioner_who_turns_them_on_hears_of_their_own_patients_plans_only():
    on = changed_choices(PRACTITIONER, defaults(PRACTITIONER),
                         {"proceed_with_treatment_plan": True}, {})
    assert notified(PRACTITIONER, PROCEEDED, own=True, choices=on)
    assert not notified(PRACTITIONER, PROCEEDED, own=False, choices=on)


def test_plan_sent_opened_and_withdrawn_mail_nobody():
    for event_type in ("notes.treatment_plan.sent", "notes.treatment_plan.opened",
                       "notes.treatment_plan.withdrawn"):
        assert not notified(OWNER, event_type)
        assert not notified(FRONT_DESK, event_type)


def test_turning_a_notification_off_stops_it():
    off = changed_choices(FRONT_DESK, defaults(FRONT_DESK), {"payment_plan_requested": False},
                          {})
    assert not notified(FRONT_DESK, REQUESTED, choices=off)
    assert notified(FRONT_DESK, ACCEPTED, choices=off)


def test_a_choice_the_role_does_not_offer_is_refused_naming_what_it_offers():
    with pytest.raises(InvalidRequest) as refused:
        changed_choices(FRONT_DESK, defaults(FRONT_DESK), {}, {"practice_digest": True})
    assert refused.value.details["available"] == []
    with pytest.raises(InvalidRequest):
        changed_choices(OWNER, defaults(OWNER), {"no_such_thing": True}, {})


def test_a_stored_choice_the_role_no_longer_offers_does_not_count():
    stored = Choices(frozenset({"payment_plan_requested"}), frozenset({"practice_digest"}))
    assert effective_choices(FRONT_DESK, stored) == Choices(
        frozenset({"payment_plan_requested"}), frozenset())


def test_the_owner_receives_the_practice_digest_and_a_practitioner_their_own():
    assert digests_for(OWNER, defaults(OWNER)) == {PRACTICE_DIGEST}
    assert digests_for(PRACTITIONER, defaults(PRACTITIONER)) == {PRACTITIONER_DIGEST}


def test_front_desk_never_gets_a_digest_not_even_as_an_admin():
    assert digests_for(FRONT_DESK, defaults(FRONT_DESK)) == frozenset()
    forced = Choices(frozenset(), frozenset({PRACTICE_DIGEST, PRACTITIONER_DIGEST}))
    assert digests_for(ADMIN_FRONT_DESK, forced) == frozenset()
    with pytest.raises(InvalidRequest):
        changed_choices(ADMIN_FRONT_DESK, defaults(ADMIN_FRONT_DESK), {},
                        {PRACTICE_DIGEST: True})


def test_practice_digests_go_to_admins_only():
    user_level_owner = role_profile(PracticeRole.OWNER_MANAGER, PermissionLevel.USER)
    assert digests_for(user_level_owner, defaults(user_level_owner)) == frozenset()
    with pytest.raises(InvalidRequest):
        changed_choices(PRACTITIONER, defaults(PRACTITIONER), {}, {PRACTICE_DIGEST: True})
    on = changed_choices(ADMIN_PRACTITIONER, defaults(ADMIN_PRACTITIONER), {},
                         {PRACTICE_DIGEST: True})
    assert digests_for(ADMIN_PRACTITIONER, on) == {PRACTICE_DIGEST, PRACTITIONER_DIGEST}


def test_weekly_periods_run_monday_to_sunday_and_daily_ones_a_day():
    wednesday = date(2026, 12, 9)
    assert period_in_course(WEEKLY, wednesday) == Period(date(2026, 12, 7), date(2026, 12, 13))
    assert last_ended_period(WEEKLY, wednesday) == Period(date(2026, 11, 30), date(2026, 12, 6))
    assert last_ended_period(DAILY, wednesday) == Period(date(2026, 12, 8), date(2026, 12, 8))


def plan_event(event_type, **data):
    return new_event(event_type, subject=Subject("treatment_plan", "p1"), org_id="org",
                     occurred_at=datetime(2026, 12, 9, 10, tzinfo=UTC),
                     data={"plan_id": "p1", "patient_id": "pat", "clinic_id": "c1",
                           "practitioner_user_id": "dentist", "item_count": 2, **data})


def test_treatment_plans_sent_and_proceeded_count_with_their_value_for_the_practitioner():
    [sent] = tallies_of(plan_event("notes.treatment_plan.sent", total_cents=125000,
                                   currency="aud"))
    assert (sent.metric, sent.user_id, sent.value_cents, sent.currency) == (
        PLANS_SENT, "dentist", 125000, "AUD")
    [proceeded] = tallies_of(plan_event(PROCEEDED, total_cents=99, currency="AUD"))
    assert proceeded.metric == PLANS_PROCEEDED and proceeded.value_cents == 99


def test_a_finalized_note_counts_for_its_finalizer_and_a_recipient_view_for_the_sender():
    note = new_event("notes.note.finalized", subject=Subject("note", "n1"), org_id="org",
                     actor=Actor("assistant"), data={"finalized_by_id": "therapist"})
    assert [(t.metric, t.user_id) for t in tallies_of(note)] == [(NOTES_FINALIZED, "therapist")]
    view = new_event("docportal.document.viewed", subject=Subject("document", "d1"),
                     org_id="org", data={"share_id": "s1", "by": "recipient"})
    [tally] = tallies_of(view)
    assert (tally.metric, tally.credit_share_sender) == (DOCUMENTS_VIEWED, "s1")


def test_digest_lines_give_counts_and_values():
    lines = figure_lines(PRACTITIONER_DIGEST, {PLANS_SENT: Figure(3, {"AUD": 420000})})
    assert "Treatment plans sent: 3 (value 4,200.00 AUD)" in lines
    assert "Notes finalized: 0" in lines
    assert not any("Invitations" in line for line in lines)
    assert any("Invitations" in line for line in figure_lines(PRACTICE_DIGEST, {}))

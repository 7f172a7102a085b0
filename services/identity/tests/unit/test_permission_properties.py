"""Profile permission and seat rules as properties over every permission set and user mix."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from identity.domain.automation import automation_profile
from identity.domain.catalog import ASSISTANT, AUTOMATION, load_catalog
from identity.domain.errors import (
    AcknowledgementRequired,
    CannotGrantUnheldPermission,
    CannotPromoteSelf,
    NotAUserManager,
    SeatLimitReached,
)
from identity.domain.invitation_lifecycle import user_from_invitation
from identity.domain.invitations import InvitationRequest, invite_staff
from identity.domain.permissions import FINISH_NOTES, MANAGE_USERS, PERMISSIONS, PermissionOverrides
from identity.domain.practices import Practice
from identity.domain.profile_changes import change_permissions
from identity.domain.roles import ClinicalRole, PermissionLevel, PracticeRole
from identity.domain.seats import seat_usage
from identity.domain.users import Actor, User, UserKind

CATALOG = load_catalog()
NOW = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
PRACTICE = Practice(id="practice-1", name="Harbour Physio", licensed_seats=5)
CLINIC = "clinic-1"

properties = settings(max_examples=200, deadline=None)

STAFF_TYPES = sorted(t.code for t in CATALOG if t.category != AUTOMATION)
ASSISTANT_TYPES = sorted(t.code for t in CATALOG if t.category == ASSISTANT)
OTHER_STAFF_TYPES = sorted(set(STAFF_TYPES) - set(ASSISTANT_TYPES))
SEAT_TYPES = frozenset(t.code for t in CATALOG if t.counts_toward_seats)

permission_sets = st.frozensets(st.sampled_from(sorted(PERMISSIONS)))
manager_sets = permission_sets.map(lambda held: held | {MANAGE_USERS})


def holding(user_id: str, user_type: str, held: frozenset[str], *, active: bool = True) -> User:
    """A staff member of ``user_type`` whose effective permissions are exactly ``held``.

    The overrides are the minimal ones the domain itself keeps (grants outside the type's
    defaults, revocations inside them).
    """
    defaults = CATALOG.default_permissions(user_type)
    return User(
        id=user_id,
        practice_id=PRACTICE.id,
        email=f"{user_id}@harbourphysio.example",
        full_name=f"Person {user_id}",
        user_type=user_type,
        default_clinic_id=CLINIC,
        overrides=PermissionOverrides(granted=held - defaults, revoked=defaults - held),
        active=active,
    )


def acting(user: User) -> Actor:
    return Actor(user, acting_clinic_id=CLINIC)


def change(actor: Actor, target: User, grant: frozenset[str], revoke=frozenset(), **extra):
    return change_permissions(
        actor, target, grant=grant, revoke=revoke - grant, practice=PRACTICE, catalog=CATALOG,
        now=NOW, **extra,
    )


@properties
@given(
    st.sampled_from(STAFF_TYPES), manager_sets,
    st.sampled_from(STAFF_TYPES), permission_sets, st.booleans(),
    permission_sets, permission_sets,
)
def test_a_change_granting_any_permission_the_actor_lacks_is_refused(
    actor_type, held, target_type, target_held, target_active, grant, revoke
):
    actor = acting(holding("actor", actor_type, held))
    assert actor.user.permissions(CATALOG) == held
    target = holding("target", target_type, target_held, active=target_active)

    if grant <= held:
        done = change(actor, target, grant, revoke, acknowledged=True)
        assert done.granted <= held
    else:
        with pytest.raises(CannotGrantUnheldPermission) as refused:
            change(actor, target, grant, revoke, acknowledged=True)
        assert refused.value.details["not_held"] == sorted(grant - held)


@properties
@given(
    st.sampled_from(STAFF_TYPES), permission_sets.map(lambda held: held - {MANAGE_USERS}),
    st.sampled_from(STAFF_TYPES), permission_sets, permission_sets,
)
def test_someone_who_is_not_a_user_manager_changes_no_permissions_at_all(
    actor_type, held, target_type, grant, revoke
):
    actor = acting(holding("actor", actor_type, held))

    with pytest.raises(NotAUserManager):
        change(actor, holding("target", target_type, frozenset()), grant, revoke)


@properties
@given(st.sampled_from(STAFF_TYPES), permission_sets, permission_sets, permission_sets)
def test_nobody_edits_themselves_into_user_manager(user_type, held, grant, revoke):
    me = holding("me", user_type, held)

    try:
        done = change(acting(me), me, grant, revoke, acknowledged=True)
    except CannotPromoteSelf:
        assert MANAGE_USERS in grant
    except (NotAUserManager, CannotGrantUnheldPermission):
        pass
    else:
        assert MANAGE_USERS not in done.granted
        assert MANAGE_USERS not in grant


@properties
@given(st.sampled_from(STAFF_TYPES), manager_sets, permission_sets)
def test_a_user_manager_asking_for_manage_users_on_themselves_is_refused(
    user_type, held, grant
):
    me = holding("me", user_type, held)

    with pytest.raises(CannotPromoteSelf):
        change(acting(me), me, grant | {MANAGE_USERS}, acknowledged=True)


@properties
@given(
    st.sampled_from(STAFF_TYPES), manager_sets.map(lambda held: held | {FINISH_NOTES}),
    st.sampled_from(ASSISTANT_TYPES), permission_sets, st.data(),
)
def test_finish_notes_for_an_assistant_without_the_acknowledgement_is_refused(
    actor_type, held, assistant_type, assistant_held, data
):
    also = data.draw(st.frozensets(st.sampled_from(sorted(held))), label="also_granted")
    assistant = holding("assistant", assistant_type, assistant_held)

    with pytest.raises(AcknowledgementRequired):
        change(acting(holding("actor", actor_type, held)), assistant, also | {FINISH_NOTES})


@properties
@given(
    st.sampled_from(STAFF_TYPES), manager_sets,
    st.sampled_from(ASSISTANT_TYPES), permission_sets, st.data(),
)
def test_acknowledged_finish_notes_for_an_assistant_is_granted_iff_the_actor_holds_it(
    actor_type, held, assistant_type, assistant_held, data
):
    also = data.draw(st.frozensets(st.sampled_from(sorted(held))), label="also_granted")
    actor = acting(holding("actor", actor_type, held))
    assistant = holding("assistant", assistant_type, assistant_held - {FINISH_NOTES})
    grant = also | {FINISH_NOTES}

    if FINISH_NOTES in held:
        done = change(actor, assistant, grant, acknowledged=True)
        assert FINISH_NOTES in done.permissions_after
    else:
        with pytest.raises(CannotGrantUnheldPermission):
            change(actor, assistant, grant, acknowledged=True)


@properties
@given(
    st.sampled_from(STAFF_TYPES), manager_sets.map(lambda held: held | {FINISH_NOTES}),
    st.sampled_from(OTHER_STAFF_TYPES), permission_sets,
)
def test_only_an_assistant_needs_the_acknowledgement_for_finish_notes(
    actor_type, held, target_type, target_held
):
    target = holding("target", target_type, target_held)

    done = change(acting(holding("actor", actor_type, held)), target, frozenset({FINISH_NOTES}))

    assert FINISH_NOTES in done.permissions_after


staff = st.builds(
    holding,
    user_id=st.uuids().map(str),
    user_type=st.sampled_from(STAFF_TYPES),
    held=permission_sets,
    active=st.booleans(),
)
automation_profiles = st.builds(
    automation_profile,
    user_id=st.uuids().map(str),
    practice_id=st.just(PRACTICE.id),
    vendor_name=st.just("Acme"),
    vendor_domain=st.just("acme.example"),
    catalog=st.just(CATALOG),
)
# Vendor staff and document recipients have no user type and, for most, no practice.
outsiders = st.builds(
    User,
    id=st.uuids().map(str),
    practice_id=st.sampled_from([None, PRACTICE.id]),
    email=st.just("someone@acme.example"),
    full_name=st.just("Someone"),
    user_type=st.sampled_from([None, *STAFF_TYPES]),
    kind=st.sampled_from([UserKind.VENDOR, UserKind.RECIPIENT]),
    active=st.booleans(),
)
user_mixes = st.lists(staff | automation_profiles | outsiders, max_size=25)
seat_counts = st.integers(min_value=0, max_value=30)


def takes_a_seat(user: User) -> bool:
    return user.kind is UserKind.STAFF and user.active and user.user_type in SEAT_TYPES


@properties
@given(user_mixes, seat_counts, st.integers(min_value=0, max_value=10))
def test_seats_in_use_are_active_staff_of_counted_types_plus_pending_invitations(
    users, licensed, pending
):
    practice = replace(PRACTICE, licensed_seats=licensed)

    usage = seat_usage(practice, users, CATALOG, pending_invitations=pending)

    active_staff = sum(1 for user in users if takes_a_seat(user))
    assert usage.active_staff == active_staff
    assert usage.in_use == active_staff + pending
    assert usage.free == max(0, licensed - active_staff - pending)


@properties
@given(user_mixes, st.lists(automation_profiles | outsiders, min_size=1, max_size=10))
def test_the_automation_profile_and_vendor_staff_never_take_a_seat(users, outside_staff):
    with_them = seat_usage(PRACTICE, users + outside_staff, CATALOG)

    assert with_them == seat_usage(PRACTICE, users, CATALOG)


@properties
@given(user_mixes, seat_counts, st.integers(min_value=0, max_value=10))
def test_inviting_is_refused_exactly_when_every_licensed_seat_is_taken_or_held(
    users, licensed, pending
):
    manager = holding("manager", "PT", frozenset({MANAGE_USERS}))
    practice = replace(PRACTICE, licensed_seats=licensed)
    seats = seat_usage(practice, [manager, *users], CATALOG, pending_invitations=pending)
    request = InvitationRequest("Sam Lee", "sam.lee@harbour.example", PracticeRole.FRONT_DESK)

    def invite():
        return invite_staff(
            acting(manager), request, invitation_id="inv-1", catalog=CATALOG, seats=seats,
            practitioners=(), now=NOW,
        )

    if sum(map(takes_a_seat, [manager, *users])) + pending >= licensed:
        with pytest.raises(SeatLimitReached):
            invite()
    else:
        assert invite().invitation is not None


@properties
@given(st.sampled_from(PracticeRole), st.sampled_from(PermissionLevel), st.data())
def test_an_admin_invitation_and_only_that_makes_a_user_manager(role, level, data):
    clinical = ClinicalRole.OTHER if role is PracticeRole.PRACTITIONER else None
    manager = holding("manager", "PT", frozenset({MANAGE_USERS}))
    user_type = data.draw(st.sampled_from(STAFF_TYPES), label="type")
    request = InvitationRequest(
        "Sam Lee", "sam.lee@harbour.example", role, permission_level=level,
        clinical_role=clinical, user_type=user_type, confirm_new_practitioner=True,
    )
    outcome = invite_staff(
        acting(manager), request, invitation_id="inv-1", catalog=CATALOG,
        seats=seat_usage(PRACTICE, [manager], CATALOG), practitioners=(), now=NOW,
        practice_model=CATALOG.get(user_type).practice_model,  # therapy or dental alike
    )

    joined = user_from_invitation(outcome.invitation, user_id="sam", catalog=CATALOG)

    assert (MANAGE_USERS in joined.permissions(CATALOG)) is (level is PermissionLevel.ADMIN)

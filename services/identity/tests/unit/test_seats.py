import pytest

from identity.domain.errors import SeatLimitReached
from identity.domain.practices import Practice
from identity.domain.seats import SeatUsage, require_free_seat, seat_usage
from identity.domain.users import UserKind

TWO_SEATS = Practice(id="practice-1", name="Harbour Physio", licensed_seats=2)


def test_active_staff_take_a_seat_each(make_user, catalog):
    usage = seat_usage(TWO_SEATS, [make_user("PT"), make_user("Front Office")], catalog)
    assert (usage.active_staff, usage.free) == (2, 0)


def test_automation_profile_and_vendor_staff_never_take_seats(make_user, catalog):
    users = [
        make_user("PT"),
        make_user("Automation", kind=UserKind.AUTOMATION),
        make_user("PT", kind=UserKind.VENDOR),
    ]
    assert seat_usage(TWO_SEATS, users, catalog).active_staff == 1


def test_deactivated_staff_free_their_seat(make_user, catalog):
    users = [make_user("PT"), make_user("PTA", active=False)]
    assert seat_usage(TWO_SEATS, users, catalog).free == 1


def test_adding_a_person_past_the_licensed_seats_is_refused(make_user, catalog):
    usage = seat_usage(TWO_SEATS, [make_user("PT"), make_user("SPT")], catalog)
    with pytest.raises(SeatLimitReached) as refused:
        require_free_seat(usage)
    assert "All 2 licensed seats are in use" in refused.value.message
    assert "buy more seats" in refused.value.message
    assert refused.value.details == {
        "licensed_seats": 2,
        "active_staff": 2,
        "pending_invitations": 0,
    }


def test_pending_invitations_hold_seats():
    with pytest.raises(SeatLimitReached, match="cannot invite"):
        require_free_seat(
            SeatUsage(licensed=2, active_staff=1, pending_invitations=1), for_invitation=True
        )


def test_a_free_seat_lets_the_addition_through():
    require_free_seat(SeatUsage(licensed=2, active_staff=1))

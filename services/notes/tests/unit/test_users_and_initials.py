"""How the notes service sees a user, and the initials a chart signature shows."""

from __future__ import annotations

import pytest

from notes.domain.users import Permission, PracticeUser, UserCategory, initials


@pytest.mark.parametrize(
    ("full_name", "expected"),
    [
        ("Amy Brooks", "AB"),
        ("carol dunn", "CD"),
        ("Mary Ann Smith-Jones", "MS"),
        ("Jane Doe, PT, DPT", "JD"),
        ("John Smith Jr.", "JS"),
        ("  Cher  ", "C"),
        ("Óscar Ñúñez", "ÓÑ"),
    ],
)
def test_initials_are_first_letters_of_first_and_last_name_upper_case(full_name, expected):
    assert initials(full_name) == expected


def test_a_name_without_letters_gives_no_initials():
    with pytest.raises(ValueError, match="initials"):
        initials(" , ")


def test_projection_takes_category_and_permissions_as_plain_strings_from_events():
    user = PracticeUser(
        id="u-1",
        full_name="Amy Brooks",
        user_type="PTA",
        category="assistant",
        permissions=["start_notes", "forward_notes"],
        permission_version=3,
        supervising_therapist_id="u-2",
    )

    assert user.category is UserCategory.ASSISTANT
    assert user.holds(Permission.FORWARD_NOTES)
    assert not user.holds(Permission.FINISH_NOTES)
    assert user.initials == "AB"


def test_projection_refuses_an_unknown_category():
    with pytest.raises(ValueError):
        PracticeUser(
            id="u-1",
            full_name="Amy Brooks",
            user_type="PTA",
            category="intern",
            permissions=frozenset(),
            permission_version=1,
        )

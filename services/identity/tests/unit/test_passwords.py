import pytest

from identity.domain.errors import PasswordRejected
from identity.domain.passwords import check_password, common_passwords, password_problems

PRACTICE = "Harbour Physio"
EMAIL = "maria.lopez@harbourphysio.example"


def problems(password: str) -> list[str]:
    return password_problems(password, practice_name=PRACTICE, email=EMAIL)


def test_a_long_unrelated_passphrase_is_accepted():
    check_password("copper kettle lantern drift", practice_name=PRACTICE, email=EMAIL)


@pytest.mark.parametrize(
    ("length", "accepted"), [(11, False), (12, True), (128, True), (129, False)]
)
def test_length_must_be_between_12_and_128(length, accepted):
    password = ("kettle-lantern-" * 10)[:length]
    assert (not problems(password)) is accepted


def test_the_practice_name_is_refused_in_any_case_or_spacing():
    assert "contains_practice_name" in problems("harbour-PHYSIO-2025!")


def test_the_email_address_is_refused():
    assert "contains_email" in problems("maria.lopez@harbourphysio.example")


def test_the_email_local_part_is_refused():
    assert "contains_email" in problems("Maria.Lopez.rocks.2025")


def test_a_short_local_part_only_refuses_an_exact_match():
    assert "contains_email" in password_problems(
        "j.o", practice_name=PRACTICE, email="jo@harbour.example"
    )
    assert "contains_email" not in password_problems(
        "jo loves quiet mornings", practice_name=PRACTICE, email="jo@harbour.example"
    )


@pytest.mark.parametrize(
    "common", ["password1234", "QWERTYUIOP123", "Iloveyou1234", "1q2w3e4r5t6y"]
)
def test_common_passwords_are_refused_whatever_their_case(common):
    assert "common_password" in problems(common)


def test_the_common_password_list_holds_a_few_hundred_entries():
    known = common_passwords()
    assert len(known) >= 300
    assert {"123456", "password", "qwerty123456"} <= known
    assert sum(len(p) >= 12 for p in known) >= 100


def test_every_problem_is_reported_at_once():
    with pytest.raises(PasswordRejected) as refused:
        check_password("maria.lopez", practice_name=PRACTICE, email=EMAIL)
    assert set(refused.value.details["reasons"]) == {"too_short", "contains_email"}
    assert "at least 12 characters" in refused.value.message

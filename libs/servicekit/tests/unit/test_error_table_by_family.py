from servicekit.web.errors import error_table_by_family


class ClinicError(Exception):
    code = "clinic_error"


class NotAllowed(ClinicError):
    code = "not_allowed"


class NotAUserManager(NotAllowed):
    code = "not_a_user_manager"


class Unmapped(ClinicError):
    code = "unmapped"


def test_each_refusal_gets_its_familys_status_and_keeps_its_own_code():
    table = error_table_by_family(ClinicError, {NotAllowed: 403})
    assert table[NotAllowed] == (403, "not_allowed")
    assert table[NotAUserManager] == (403, "not_a_user_manager")
    assert Unmapped not in table and ClinicError not in table

"""The billing sheet: the discipline's codes, manual codes of a valid format, sensible units."""

from __future__ import annotations

import pytest

from notes.domain.billing import (
    MAX_UNITS,
    BillingEntry,
    BillingLine,
    build_billing_sheet,
    code_kind,
)
from notes.domain.errors import InvalidBillingSheet

PT_CODES = frozenset({"97110", "97140", "97530", "97161"})


def test_discipline_codes_are_billed_as_offered_not_manual():
    sheet = build_billing_sheet([BillingEntry("97110", 2, ("GP",))], PT_CODES)

    assert sheet.lines == (BillingLine("97110", 2, ("GP",), manual=False),)


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("92507", "CPT Category I"),
        ("1125F", "CPT Category II"),
        ("0552T", "CPT Category III"),
        ("G0283", "HCPCS Level II"),
    ],
)
def test_manual_code_of_a_valid_format_is_accepted_and_marked_manual(code, kind):
    sheet = build_billing_sheet([BillingEntry(code)], PT_CODES)

    assert code_kind(code) == kind
    assert sheet.lines[0].manual is True
    assert sheet.lines[0].code == code


def test_manual_codes_are_normalized_to_upper_case():
    sheet = build_billing_sheet([BillingEntry(" g0283 ")], PT_CODES)

    assert sheet.lines[0].code == "G0283"


@pytest.mark.parametrize("code", ["9711", "971100", "1125X", "G02830", "GG283", "", "97 10"])
def test_manual_code_of_no_known_format_is_refused_with_the_formats(code):
    with pytest.raises(InvalidBillingSheet) as refused:
        build_billing_sheet([BillingEntry(code)], PT_CODES)

    assert "five digits" in refused.value.message
    assert set(refused.value.details["lines"]) == {"0"}


@pytest.mark.parametrize("units", [0, -1, MAX_UNITS + 1, True, 1.5])
def test_units_must_be_a_whole_number_within_bounds(units):
    with pytest.raises(InvalidBillingSheet, match="units"):
        build_billing_sheet([BillingEntry("97110", units)], PT_CODES)


@pytest.mark.parametrize("units", [1, MAX_UNITS])
def test_units_at_the_bounds_are_accepted(units):
    assert build_billing_sheet([BillingEntry("97110", units)], PT_CODES).lines[0].units == units


def test_modifiers_are_two_letters_or_digits_at_most_four_and_not_repeated():
    with pytest.raises(InvalidBillingSheet) as refused:
        build_billing_sheet(
            [
                BillingEntry("97110", 1, ("GPX",)),
                BillingEntry("97140", 1, ("GP",) * 2),
                BillingEntry("97530", 1, ("GP", "59", "KX", "CQ", "XU")),
                BillingEntry("97161", 1, ("gp", "59")),
            ],
            PT_CODES,
        )

    assert set(refused.value.details["lines"]) == {"0", "1", "2"}


def test_every_faulty_line_is_reported_at_once():
    with pytest.raises(InvalidBillingSheet) as refused:
        build_billing_sheet(
            [BillingEntry("97110", 1), BillingEntry("XYZ"), BillingEntry("97140", 99)], PT_CODES
        )

    assert set(refused.value.details["lines"]) == {"1", "2"}
    assert "line 2" in refused.value.message and "line 3" in refused.value.message


def test_same_code_with_same_modifiers_twice_must_be_one_line():
    with pytest.raises(InvalidBillingSheet, match="on one line"):
        build_billing_sheet(
            [BillingEntry("97110", 1, ("GP",)), BillingEntry("97110", 2, ("gp",))], PT_CODES
        )


def test_same_code_with_different_modifiers_is_two_lines():
    sheet = build_billing_sheet(
        [BillingEntry("97110", 1, ("GP",)), BillingEntry("97110", 1, ("GP", "59"))], PT_CODES
    )

    assert len(sheet.lines) == 2

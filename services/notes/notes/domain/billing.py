"""The billing sheet of a note: CPT/HCPCS lines, checked before anything is charged."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from notes.domain.errors import InvalidBillingSheet

# 24 fifteen-minute units is six hours of one service in one visit; more is a typo
# ("40" for "4") that would otherwise become a charge on the patient's account.
MAX_UNITS = 24
# A claim line carries at most four modifiers (CMS-1500 box 24D).
MAX_MODIFIERS = 4

_CODE_FORMATS = (
    (re.compile(r"\d{5}"), "CPT Category I"),
    (re.compile(r"\d{4}F"), "CPT Category II"),
    (re.compile(r"\d{4}T"), "CPT Category III"),
    (re.compile(r"[A-Z]\d{4}"), "HCPCS Level II"),
)
_MODIFIER = re.compile(r"[A-Z0-9]{2}")
# How to enter a code the discipline does not list (the API shows it beside the offer too).
FORMAT_HELP = (
    "use five digits (CPT Category I, e.g. 97110), four digits and F (Category II, e.g. 1125F), "
    "four digits and T (Category III, e.g. 0552T) or a letter and four digits (HCPCS, e.g. G0283)"
)


@dataclass(frozen=True)
class BillingEntry:
    """One line as the person typed it, before checking."""

    code: str
    units: int = 1
    modifiers: tuple[str, ...] = ()


@dataclass(frozen=True)
class BillingLine:
    code: str
    units: int
    modifiers: tuple[str, ...] = ()
    # Manual: a code the user's discipline does not list, entered by hand.
    manual: bool = False


@dataclass(frozen=True)
class BillingSheet:
    lines: tuple[BillingLine, ...] = ()


def code_kind(code: str) -> str | None:
    """Name the code set `code` belongs to by its format, or None if it fits none."""
    for pattern, kind in _CODE_FORMATS:
        if pattern.fullmatch(code):
            return kind
    return None


def build_billing_sheet(
    entries: Iterable[BillingEntry], offered_codes: frozenset[str]
) -> BillingSheet:
    """Check every entry against the discipline's codes and the code formats; report all faults."""
    lines: list[BillingLine] = []
    faults: dict[int, str] = {}
    for index, entry in enumerate(entries):
        try:
            lines.append(_check_entry(entry, offered_codes))
        except ValueError as fault:
            faults[index] = str(fault)
    seen: dict[tuple[str, tuple[str, ...]], int] = {}
    for index, line in enumerate(lines):
        key = (line.code, line.modifiers)
        if key in seen and index not in faults:
            faults[index] = (
                f"{line.code} is already on line {seen[key] + 1} with the same modifiers; "
                "put all its units on one line"
            )
        seen.setdefault(key, index)
    if faults:
        details: dict[str, Any] = {"lines": {str(i): msg for i, msg in sorted(faults.items())}}
        raise InvalidBillingSheet(
            "Some billing lines need fixing before the sheet can be saved: "
            + "; ".join(f"line {i + 1}: {msg}" for i, msg in sorted(faults.items())),
            details,
        )
    return BillingSheet(lines=tuple(lines))


def _check_entry(entry: BillingEntry, offered_codes: frozenset[str]) -> BillingLine:
    code = entry.code.strip().upper()
    manual = code not in offered_codes
    if manual and code_kind(code) is None:
        raise ValueError(f"{entry.code!r} is not a valid code; {FORMAT_HELP}")
    # bool is an int in Python; True units would silently bill one unit.
    if isinstance(entry.units, bool) or not isinstance(entry.units, int):
        raise ValueError(f"units must be a whole number from 1 to {MAX_UNITS}")
    if not 1 <= entry.units <= MAX_UNITS:
        raise ValueError(f"units must be from 1 to {MAX_UNITS}, not {entry.units}")
    modifiers = tuple(m.strip().upper() for m in entry.modifiers)
    if len(modifiers) > MAX_MODIFIERS:
        raise ValueError(f"a line takes at most {MAX_MODIFIERS} modifiers")
    bad = [m for m in modifiers if not _MODIFIER.fullmatch(m)]
    if bad:
        raise ValueError(f"modifiers are two letters or digits (e.g. GP, 59); not {bad}")
    if len(set(modifiers)) != len(modifiers):
        raise ValueError("a modifier appears twice on the line")
    return BillingLine(code=code, units=entry.units, modifiers=modifiers, manual=manual)

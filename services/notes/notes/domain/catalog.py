"""User types as the notes service needs them: category, discipline and the CPT codes offered.

Identity's events carry only the user type code, so notes keeps its own copy of this part of
identity's catalog (user_types.json); a type it does not know is treated as clerical, which
may neither start nor sign notes, until the copy is brought up to date.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources

from notes.domain.users import UserCategory


@dataclass(frozen=True)
class UserTypeInfo:
    code: str
    category: UserCategory
    discipline: str | None
    cpt_codes: frozenset[str]


UNKNOWN_TYPE_CATEGORY = UserCategory.CLERICAL


@dataclass(frozen=True)
class BillingCodeOffer:
    """The codes a billing sheet offers for one user type; any other code is entered by hand."""

    user_type: str | None
    discipline: str | None
    codes: tuple[str, ...]


@dataclass(frozen=True)
class UserTypes:
    by_code: dict[str, UserTypeInfo]

    def category_of(self, code: str | None) -> UserCategory:
        info = self.by_code.get(code or "")
        return info.category if info else UNKNOWN_TYPE_CATEGORY

    def offered_codes(self, code: str | None) -> frozenset[str]:
        info = self.by_code.get(code or "")
        return info.cpt_codes if info else frozenset()

    def offer_for(self, code: str | None) -> BillingCodeOffer:
        """The sheet's offer for a user type; an unknown type is offered nothing."""
        info = self.by_code.get(code or "")
        if info is None:
            return BillingCodeOffer(user_type=code, discipline=None, codes=())
        return BillingCodeOffer(user_type=info.code, discipline=info.discipline,
                                codes=tuple(sorted(info.cpt_codes)))


def load_user_types() -> UserTypes:
    raw = json.loads(resources.files("notes.domain").joinpath("user_types.json").read_text())
    return UserTypes({
        entry["code"]: UserTypeInfo(
            code=entry["code"], category=UserCategory(entry["category"]),
            discipline=entry.get("discipline"), cpt_codes=frozenset(entry.get("cpt_codes", ())),
        )
        for entry in raw["user_types"]
    })

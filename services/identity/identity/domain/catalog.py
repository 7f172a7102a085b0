"""The user type catalog: data in user_types.json, checked once at start-up.

Types are data, not code, so a new type is a reviewed edit to the JSON file. The loader
refuses a file that would give someone the wrong permissions or billing codes, and says
which entry is wrong, so a bad edit stops the service instead of reaching a clinic.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from identity.domain.errors import CatalogInvalid, UnknownUserType
from identity.domain.permissions import NEVER_DEFAULT, PERMISSIONS

CATALOG_FILE = Path(__file__).with_name("user_types.json")

THERAPIST, ASSISTANT, CLERICAL, STUDENT, AUTOMATION = (
    "therapist",
    "assistant",
    "clerical",
    "student",
    "automation",
)
CATEGORIES = frozenset({THERAPIST, ASSISTANT, CLERICAL, STUDENT, AUTOMATION})
# The vocabulary a practice follows (chosen when it is created): a type serves one of them.
THERAPY, DENTAL = "therapy", "dental"
PRACTICE_MODELS = frozenset({THERAPY, DENTAL})
# Where a type's billing codes come from: the catalog's list, typed by hand, or none at all.
CATALOG_CODES, MANUAL_CODES, NO_CODES = "catalog", "manual", "none"
NOTE_PERMISSIONS = frozenset({"start_notes", "forward_notes", "finish_notes"})

# Five digits (Category I) or four digits and F/T (Category II/III tracking codes).
CPT_CODE = re.compile(r"^\d{4}[0-9FT]$")
_FIELDS = {
    "code": str,
    "name": str,
    "category": str,
    "default_permissions": list,
    "cpt_codes": list,
    "counts_toward_seats": bool,
    "may_bill": bool,
    "may_write_notes": bool,
}


@dataclass(frozen=True)
class UserType:
    code: str
    name: str
    category: str
    discipline: str | None
    default_permissions: frozenset[str]
    cpt_codes: tuple[str, ...]
    counts_toward_seats: bool
    may_bill: bool
    may_write_notes: bool
    practice_model: str = THERAPY
    billing_codes: str = CATALOG_CODES
    # Dental types only: the role in practice (and clinical role) an invitation maps to them.
    practice_role: str | None = None
    clinical_role: str | None = None


class UserTypeCatalog:
    """Every user type by code, plus the type a new user gets when none is chosen."""

    def __init__(self, types: Iterable[UserType], default_code: str) -> None:
        self._types = {t.code: t for t in types}
        self.default_code = default_code

    def __contains__(self, code: object) -> bool:
        return code in self._types

    def __iter__(self) -> Iterator[UserType]:
        return iter(self._types.values())

    def get(self, code: str) -> UserType:
        try:
            return self._types[code]
        except KeyError:
            raise UnknownUserType(
                f"There is no user type {code!r}. Pick one of: {', '.join(self._types)}.",
                {"user_type": code, "known": list(self._types)},
            ) from None

    def default_permissions(self, code: str) -> frozenset[str]:
        return self.get(code).default_permissions

    @property
    def default(self) -> UserType:
        return self._types[self.default_code]

    def of_model(self, practice_model: str) -> list[UserType]:
        return [t for t in self._types.values() if t.practice_model == practice_model]

    def type_for_role(self, practice_model: str, practice_role: str,
                      clinical_role: str | None) -> UserType | None:
        """The type a role (and clinical role) maps to in a practice model, if one does."""
        for user_type in self.of_model(practice_model):
            if (user_type.practice_role, user_type.clinical_role) == (practice_role,
                                                                      clinical_role):
                return user_type
        return None


def load_catalog(path: Path = CATALOG_FILE) -> UserTypeCatalog:
    """Read and validate the catalog file; raise CatalogInvalid naming the bad entry."""
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CatalogInvalid(f"Cannot read the user type catalog {path}: {exc}") from exc
    return catalog_from_data(raw)


def catalog_from_data(raw: Mapping[str, Any]) -> UserTypeCatalog:
    entries = raw.get("user_types") if isinstance(raw, Mapping) else None
    if not isinstance(entries, list) or not entries:
        raise CatalogInvalid("The catalog needs a non-empty 'user_types' list.")
    types: list[UserType] = []
    for index, entry in enumerate(entries):
        user_type = _user_type(index, entry)
        if any(t.code == user_type.code for t in types):
            raise CatalogInvalid(f"Duplicate user type code {user_type.code!r}.")
        types.append(user_type)
    default_code = raw.get("default_user_type")
    if default_code not in {t.code for t in types}:
        raise CatalogInvalid(f"default_user_type {default_code!r} is not a listed user type.")
    roles = [(t.practice_model, t.practice_role, t.clinical_role) for t in types
             if t.practice_role is not None]
    if len(roles) != len(set(roles)):
        raise CatalogInvalid("Two user types map to the same role and clinical role.")
    return UserTypeCatalog(types, default_code)


def _user_type(index: int, entry: Any) -> UserType:
    where = f"user_types[{index}]"
    if not isinstance(entry, Mapping):
        raise CatalogInvalid(f"{where} must be an object.")
    where = f"user type {entry.get('code', where)!r}"
    for field, kind in _FIELDS.items():
        if not isinstance(entry.get(field), kind):
            raise CatalogInvalid(f"{where}: field {field!r} must be a {kind.__name__}.")
    if not entry["code"].strip() or not entry["name"].strip():
        raise CatalogInvalid(f"{where}: code and name must not be blank.")
    discipline = entry.get("discipline")
    if discipline is not None and not isinstance(discipline, str):
        raise CatalogInvalid(f"{where}: field 'discipline' must be a string or null.")
    if entry["category"] not in CATEGORIES:
        raise CatalogInvalid(
            f"{where}: unknown category {entry['category']!r}; "
            f"use one of {', '.join(sorted(CATEGORIES))}."
        )
    defaults = frozenset(entry["default_permissions"])
    unknown = sorted(p for p in defaults if p not in PERMISSIONS)
    if unknown:
        raise CatalogInvalid(f"{where}: unknown permission(s) {', '.join(map(str, unknown))}.")
    if defaults & NEVER_DEFAULT:
        raise CatalogInvalid(
            f"{where}: {', '.join(sorted(defaults & NEVER_DEFAULT))} is granted to a person "
            "by a User Manager, never by default."
        )
    bad_cpt = [c for c in entry["cpt_codes"] if not (isinstance(c, str) and CPT_CODE.match(c))]
    if bad_cpt:
        raise CatalogInvalid(f"{where}: bad CPT code(s) {bad_cpt}; a CPT code is 5 characters.")
    if not entry["may_write_notes"] and (defaults & NOTE_PERMISSIONS or entry["cpt_codes"]):
        raise CatalogInvalid(
            f"{where}: a type that may not write notes has no note permissions and no CPT codes."
        )
    if entry["category"] == AUTOMATION and entry["counts_toward_seats"]:
        raise CatalogInvalid(f"{where}: the automation profile never counts toward seats.")
    model, billing, role, clinical = _practice_fields(where, entry)
    return UserType(
        code=entry["code"],
        name=entry["name"],
        category=entry["category"],
        discipline=discipline,
        default_permissions=defaults,
        cpt_codes=tuple(entry["cpt_codes"]),
        counts_toward_seats=entry["counts_toward_seats"],
        may_bill=entry["may_bill"],
        may_write_notes=entry["may_write_notes"],
        practice_model=model,
        billing_codes=billing,
        practice_role=role,
        clinical_role=clinical,
    )


def _practice_fields(where: str, entry: Mapping[str, Any]
                     ) -> tuple[str, str, str | None, str | None]:
    """The practice model a type serves, where its billing codes come from, and (dental
    types) the role it stands for; a dental type never offers therapy CPT codes."""
    model = entry.get("practice_model", THERAPY)
    if model not in PRACTICE_MODELS:
        raise CatalogInvalid(f"{where}: practice_model must be one of "
                             f"{', '.join(sorted(PRACTICE_MODELS))}.")
    derived = CATALOG_CODES if entry["cpt_codes"] else (
        MANUAL_CODES if entry["may_write_notes"] else NO_CODES)
    billing = entry.get("billing_codes", derived)
    if billing != derived:
        raise CatalogInvalid(
            f"{where}: billing_codes {billing!r} does not fit the type: 'catalog' lists CPT "
            "codes, 'manual' writes notes with none listed, 'none' writes no notes.")
    role, clinical = entry.get("practice_role"), entry.get("clinical_role")
    if model == THERAPY and (role is not None or clinical is not None):
        raise CatalogInvalid(f"{where}: only dental types map to a role in practice.")
    if model == DENTAL and (not isinstance(role, str) or billing == CATALOG_CODES):
        raise CatalogInvalid(
            f"{where}: a dental type names its practice_role and lists no CPT codes.")
    if clinical is not None and not isinstance(clinical, str):
        raise CatalogInvalid(f"{where}: clinical_role must be a string or null.")
    return model, billing, role, clinical

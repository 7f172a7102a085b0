"""Digital treatment plan settings: item codes, price buttons, SMS and reminder templates.

Templates are sent to patients by text message, so they may only name the placeholders the
sender fills in; a misspelt one would reach the patient as "{patient_frist_name}".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from identity.domain.errors import InvalidRequest

PLACEHOLDERS = frozenset({
    "patient_first_name", "practice_name", "practice_phone", "practitioner_name",
    "treatment_plan_link", "appointment_date",
})
MOST_ITEM_CODES = 500
MOST_PRICE_BUTTONS = 12
MOST_TEMPLATES = 20
LONGEST_SMS = 480  # three SMS segments
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def _repeats(values: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    repeated: set[str] = set()
    for value in values:
        key = value.strip().lower()
        (repeated if key in seen else seen).add(key)
    return sorted(repeated)


def unknown_placeholders(body: str) -> list[str]:
    """Placeholders the sender cannot fill, and stray braces (shown as "{" or "}")."""
    names = _PLACEHOLDER.findall(body)
    unknown = sorted({n for n in names if n not in PLACEHOLDERS})
    rest = _PLACEHOLDER.sub("", body)
    stray = sorted({c for c in rest if c in "{}"})
    return unknown + stray


def check_treatment_plan_settings(settings: Mapping[str, Any]) -> None:
    """Item codes and names unique within their list; templates use known placeholders."""
    for field, key in (("item_codes", "code"), ("price_buttons", "label"),
                       ("sms_templates", "name"), ("reminder_templates", "name")):
        repeated = _repeats(entry[key] for entry in settings.get(field, []))
        if repeated:
            raise InvalidRequest(f"Each {key} appears once in {field.replace('_', ' ')}; "
                                 "change or remove the repeated ones.",
                                 {"field": field, "repeated": repeated})
    for field in ("sms_templates", "reminder_templates"):
        for template in settings.get(field, []):
            bad = unknown_placeholders(template["body"])
            if bad:
                raise InvalidRequest(
                    "A template may only use these placeholders: "
                    + ", ".join("{" + p + "}" for p in sorted(PLACEHOLDERS))
                    + ". Fix or remove the others.",
                    {"field": field, "template": template["name"], "not_allowed": bad,
                     "allowed": sorted(PLACEHOLDERS)})

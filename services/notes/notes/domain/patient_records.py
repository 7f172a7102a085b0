"""Who may change a patient's record, by the kind of practice it is.

A therapy practice gives the edit_patients permission to whoever edits records. A dental
practice follows its seed: editing patient records is an Admin permission (manage_users),
and each edit comes back with the seed's privacy warning.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, timedelta
from enum import StrEnum

from notes.domain.errors import AdminOnly, PermissionRequired
from notes.domain.users import Permission


class PracticeModel(StrEnum):
    THERAPY = "therapy"
    DENTAL = "dental"


# The dental seed's words (seeds/004), returned with every dental patient record edit.
PRIVACY_WARNING = (
    "Patient records should only be changed if necessary and steps must be taken to ensure "
    "that patient details are recorded accurately as a control to preserve privacy.")


def practice_model(raw: str | None) -> PracticeModel:
    """A practice identity never named a model for (an older event) is a therapy practice."""
    return PracticeModel.DENTAL if raw == PracticeModel.DENTAL.value else PracticeModel.THERAPY


def require_patient_record_editor(model: PracticeModel, permissions: Collection[str]
                                  ) -> str | None:
    """Refuse who may not edit a patient's record here; the warning to show, if any."""
    if model is PracticeModel.DENTAL:
        if Permission.MANAGE_USERS.value not in permissions:
            raise AdminOnly(
                "In a dental practice only an Admin can edit a patient's record. Ask an "
                "Admin of your practice to make the change.",
                {"required_permission_level": "admin",
                 "required_permission": Permission.MANAGE_USERS.value})
        return PRIVACY_WARNING
    if Permission.EDIT_PATIENTS.value not in permissions:
        raise PermissionRequired(
            "You need the edit_patients permission for this; ask a User Manager in your "
            "practice to grant it.", {"missing": [Permission.EDIT_PATIENTS.value]})
    return None


# The oldest person on record lived 122 years; a birth date further back is a typing slip.
OLDEST_PLAUSIBLE_AGE_YEARS = 130


class ImplausibleBirthDate(ValueError):
    """A date of birth no living patient can have; the message says what to correct."""


def check_date_of_birth(born: date, today: date) -> date:
    """``born`` if a patient registered ``today`` can have been born then.

    ``today`` is the UTC date; a clinic east of UTC may already be a day ahead, so
    tomorrow (UTC) is still accepted for a newborn registered just after local midnight.
    """
    if born > today + timedelta(days=1):
        raise ImplausibleBirthDate(
            f"A date of birth cannot be in the future ({born.isoformat()}); check the year "
            "and send it again.")
    oldest = today.replace(year=today.year - OLDEST_PLAUSIBLE_AGE_YEARS) \
        if not (today.month == 2 and today.day == 29) \
        else date(today.year - OLDEST_PLAUSIBLE_AGE_YEARS, 3, 1)
    if born < oldest:
        raise ImplausibleBirthDate(
            f"A date of birth before {oldest.isoformat()} (over "
            f"{OLDEST_PLAUSIBLE_AGE_YEARS} years ago) is not plausible; check the year and "
            "send it again.")
    return born

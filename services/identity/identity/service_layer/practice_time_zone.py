"""Which time zone a practice's staff read times in (the clinic setting `time_zone`)."""

from __future__ import annotations

from identity.adapters.clinic_time_zones import ClinicTimeZones
from servicekit.db import UnitOfWork


def practice_time_zone(uow: UnitOfWork, practice_id: str) -> str:
    """The IANA zone of the practice's first clinic; UTC when it has none."""
    with uow:
        return ClinicTimeZones(uow.session).of_practice(practice_id)

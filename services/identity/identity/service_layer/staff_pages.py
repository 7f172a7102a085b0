"""What the staff pages read besides the caller's profile."""

from __future__ import annotations

from identity.adapters.repository import IdentityRepository
from servicekit.db import UnitOfWork


def practice_name(uow: UnitOfWork, practice_id: str) -> str:
    with uow:
        return IdentityRepository(uow.session).practice(practice_id).name

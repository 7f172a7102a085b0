"""Shared builders for the identity domain's unit tests: the real catalog, a fixed clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from identity.domain.catalog import load_catalog
from identity.domain.grants import VendorAccessGrant
from identity.domain.permissions import PermissionOverrides
from identity.domain.practices import Practice
from identity.domain.users import Actor, User, UserKind

NOW = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
PRACTICE_ID = "practice-1"
HOME_CLINIC = "clinic-1"


@pytest.fixture(scope="session")
def catalog():
    return load_catalog()


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture
def practice() -> Practice:
    return Practice(id=PRACTICE_ID, name="Harbour Physio", licensed_seats=5)


@pytest.fixture
def make_user():
    counter = iter(range(1, 10_000))

    def make(
        user_type: str = "PT",
        *,
        user_id: str | None = None,
        practice_id: str = PRACTICE_ID,
        kind: UserKind = UserKind.STAFF,
        granted: tuple[str, ...] = (),
        revoked: tuple[str, ...] = (),
        default_clinic_id: str | None = HOME_CLINIC,
        active: bool = True,
        permission_version: int = 1,
    ) -> User:
        user_id = user_id or f"user-{next(counter)}"
        return User(
            id=user_id,
            practice_id=practice_id,
            email=f"{user_id}@harbourphysio.example",
            full_name=f"Person {user_id}",
            user_type=user_type,
            kind=kind,
            default_clinic_id=default_clinic_id,
            overrides=PermissionOverrides(frozenset(granted), frozenset(revoked)),
            permission_version=permission_version,
            active=active,
        )

    return make


@pytest.fixture
def manager(make_user) -> Actor:
    """A PT who is also the practice's User Manager (Admin), working at the home clinic."""
    return Actor(make_user("PT", user_id="manager", granted=("manage_users",)), HOME_CLINIC)


@pytest.fixture
def vendor_support(make_user) -> Actor:
    """A vendor support employee inside the practice under a grant active at NOW."""
    user = make_user("PT", user_id="vendor-1", kind=UserKind.VENDOR)
    grant = VendorAccessGrant(
        id="grant-1",
        practice_id=PRACTICE_ID,
        user_id=user.id,
        purpose="Ticket 4411: fix a user type",
        starts_at=NOW - timedelta(hours=1),
        ends_at=NOW + timedelta(hours=1),
        granted_by="support-admin",
        granted_at=NOW - timedelta(hours=2),
    )
    return Actor(user, HOME_CLINIC, grant)

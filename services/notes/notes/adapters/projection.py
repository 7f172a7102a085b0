"""Reading and writing identity's projection: users, clinics and practices as notes knows them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from notes.adapters.tables import projected_clinics, projected_practices, projected_users
from notes.domain.billing_export import BillingIntegration
from notes.domain.users import PracticeUser

ACTIVE, DEACTIVATED = "active", "deactivated"


class IdentityProjection:
    def __init__(self, session: Session) -> None:
        self.session = session

    # --- reads ------------------------------------------------------------------------------

    def user_row(self, user_id: str) -> dict[str, Any] | None:
        row = self.session.execute(
            select(projected_users).where(projected_users.c.id == user_id)
        ).mappings().first()
        return dict(row) if row else None

    def practice_user(self, org_id: str, user_id: str | None) -> PracticeUser | None:
        """The user of this practice, once identity has announced them; None otherwise."""
        row = self.user_row(user_id) if user_id else None
        if row is None or row["org_id"] != org_id or row["full_name"] is None:
            return None
        return PracticeUser(
            id=row["id"], full_name=row["full_name"], user_type=row["user_type"] or "",
            category=row["category"], permissions=frozenset(row["permissions"]),
            permission_version=row["permission_version"],
            supervising_therapist_id=row["supervising_therapist_id"],
            active=row["status"] != DEACTIVATED,
        )

    def clinic(self, org_id: str, clinic_id: str) -> dict[str, Any] | None:
        row = self.session.execute(
            select(projected_clinics).where(
                projected_clinics.c.id == clinic_id, projected_clinics.c.org_id == org_id)
        ).mappings().first()
        return dict(row) if row else None

    def practice_name(self, org_id: str) -> str | None:
        return self.session.execute(
            select(projected_practices.c.name).where(projected_practices.c.id == org_id)
        ).scalar_one_or_none()

    def practice_row(self, org_id: str) -> dict[str, Any] | None:
        row = self.session.execute(
            select(projected_practices).where(projected_practices.c.id == org_id)
        ).mappings().first()
        return dict(row) if row else None

    def practice_model(self, org_id: str) -> str | None:
        return self.session.execute(
            select(projected_practices.c.model).where(projected_practices.c.id == org_id)
        ).scalar_one_or_none()

    def billing_integration(self, org_id: str) -> BillingIntegration | None:
        raw = self.session.execute(
            select(projected_practices.c.billing_integration)
            .where(projected_practices.c.id == org_id)
        ).scalar_one_or_none()
        if not raw:
            return None
        return BillingIntegration(name=raw["name"], provider_ids=frozenset(raw["provider_ids"]))

    # --- writes (events may arrive in any order, so every write is an upsert) ----------------

    def save_practice(self, org_id: str, at: datetime, **values: Any) -> None:
        exists = self.session.execute(
            select(projected_practices.c.id).where(projected_practices.c.id == org_id)
        ).first()
        if exists:
            self.session.execute(update(projected_practices)
                                 .where(projected_practices.c.id == org_id)
                                 .values(updated_at=at, **values))
        else:
            self.session.execute(projected_practices.insert().values(
                id=org_id, updated_at=at, **values))

    def save_user(self, user_id: str, org_id: str, at: datetime, *,
                  permissions: list[str] | None = None, permission_version: int | None = None,
                  **profile: Any) -> None:
        """Merge what one event says; permissions only move forward in permission version."""
        row = self.user_row(user_id)
        if row is None:
            self.session.execute(projected_users.insert().values(
                id=user_id, org_id=org_id, permissions=sorted(permissions or ()),
                permission_version=permission_version or 0, updated_at=at,
                **{"status": ACTIVE, **profile}))
            return
        values: dict[str, Any] = dict(profile, updated_at=at)
        newer = permission_version is not None and permission_version >= row["permission_version"]
        if permissions is not None and newer:
            values.update(permissions=sorted(permissions), permission_version=permission_version)
        if not newer:
            # Deactivation and reactivation each raise the version: an older event (a late
            # creation, say) never undoes the newer of the two.
            values.pop("status", None)
        self.session.execute(
            update(projected_users).where(projected_users.c.id == user_id).values(**values))

    def save_clinic_settings(self, clinic_id: str, org_id: str, at: datetime, *,
                             assistants_may_finalize: bool, name: str | None = None,
                             time_zone: str | None = None) -> None:
        """``time_zone`` None: identity did not say (an event from before the setting)."""
        row = self.session.execute(
            select(projected_clinics).where(projected_clinics.c.id == clinic_id)
        ).mappings().first()
        zone = {"time_zone": time_zone} if time_zone else {}
        if row is None:
            self.session.execute(projected_clinics.insert().values(
                id=clinic_id, org_id=org_id, name=name, settings_at=at,
                assistants_may_finalize=assistants_may_finalize, **zone))
            return
        values: dict[str, Any] = {"name": name} if name else {}
        if at >= row["settings_at"]:
            values.update(assistants_may_finalize=assistants_may_finalize, settings_at=at, **zone)
        if values:
            self.session.execute(update(projected_clinics)
                                 .where(projected_clinics.c.id == clinic_id).values(**values))

"""Rows of the identity database to domain values and back, always scoped to one practice."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import RowMapping, delete, insert, select, update
from sqlalchemy.orm import Session

from identity.adapters.tables import (
    clinics,
    password_resets,
    password_setups,
    practices,
    refresh_families,
    refresh_tokens,
    user_clinics,
    users,
)
from identity.domain.clinics import Clinic
from identity.domain.password_resets import PasswordReset
from identity.domain.permissions import PermissionOverrides
from identity.domain.practices import BillingIntegration, Practice
from identity.domain.refresh_tokens import RefreshFamily
from identity.domain.users import User, UserKind

ACTIVE, INACTIVE = "active", "inactive"


class IdentityRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # --- practices and clinics -------------------------------------------------------
    def practice(self, practice_id: str) -> Practice:
        row = self.session.execute(
            select(practices).where(practices.c.id == practice_id)
        ).mappings().one()
        integration = None
        if row["billing_integration"]:
            integration = BillingIntegration(
                row["billing_integration"], frozenset(row["billing_provider_ids"] or ())
            )
        return Practice(
            id=row["id"], name=row["name"], licensed_seats=row["licensed_seats"],
            recognized_domains=frozenset(row["recognized_domains"] or ()),
            billing_integration=integration, model=row["model"],
        )

    def hold_practice(self, practice_id: str) -> None:
        """Lock the practice's row until commit: changes that must see every other change
        to its staff (the last User Manager) run one after the other."""
        self.session.execute(
            select(practices.c.id).where(practices.c.id == practice_id).with_for_update())

    def clinics_of(self, practice_id: str) -> list[Clinic]:
        rows = self.session.execute(
            select(clinics).where(clinics.c.org_id == practice_id).order_by(clinics.c.name)
        ).mappings()
        return [_clinic(row) for row in rows]

    def clinic(self, practice_id: str, clinic_id: str) -> Clinic | None:
        row = self.session.execute(
            select(clinics).where(clinics.c.id == clinic_id, clinics.c.org_id == practice_id)
        ).mappings().one_or_none()
        return _clinic(row) if row else None

    def add_clinic(self, clinic: Clinic, now: datetime) -> None:
        self.session.execute(insert(clinics).values(
            id=clinic.id, org_id=clinic.practice_id, name=clinic.name,
            assistants_may_finalize=clinic.assistants_may_finalize, created_at=now,
            time_zone=clinic.time_zone,
        ))

    def save_clinic(self, clinic: Clinic) -> None:
        self.session.execute(
            update(clinics).where(clinics.c.id == clinic.id)
            .values(assistants_may_finalize=clinic.assistants_may_finalize,
                    time_zone=clinic.time_zone)
        )

    # --- users -------------------------------------------------------------------------
    def user(self, practice_id: str, user_id: str) -> User | None:
        row = self.session.execute(
            select(users).where(users.c.id == user_id, users.c.org_id == practice_id)
        ).mappings().one_or_none()
        return _user(row) if row else None

    def user_by_id(self, user_id: str) -> User | None:
        row = self.session.execute(select(users).where(users.c.id == user_id)).mappings()
        found = row.one_or_none()
        return _user(found) if found else None

    def users_of(self, practice_id: str) -> list[User]:
        rows = self.session.execute(
            select(users).where(users.c.org_id == practice_id).order_by(users.c.full_name)
        ).mappings()
        return [_user(row) for row in rows]

    def sign_in_candidates(self, email: str, practice_id: str | None,
                           kind: UserKind = UserKind.STAFF) -> list[tuple[User, str]]:
        """Active accounts of this kind with this email (in one practice if given), with hashes.

        Staff, recipient and vendor accounts never sign in for one another, even when
        they share an address.
        """
        query = select(users).where(
            users.c.email_normalized == email, users.c.status == ACTIVE,
            users.c.password_hash.is_not(None), users.c.kind == kind.value,
        )
        if practice_id is not None:
            query = query.where(users.c.org_id == practice_id)
        rows = self.session.execute(query.order_by(users.c.created_at)).mappings()
        return [(_user(row), row["password_hash"]) for row in rows]

    def practices_with_staff_email(self, email: str) -> list[str]:
        """The practices where a staff account (of any status) has this address."""
        return list(self.session.execute(select(users.c.org_id).distinct().where(
            users.c.email_normalized == email, users.c.kind == UserKind.STAFF.value,
            users.c.org_id.is_not(None))).scalars())

    def email_taken(self, practice_id: str, email: str) -> bool:
        found = self.session.execute(
            select(users.c.id).where(users.c.org_id == practice_id,
                                     users.c.email_normalized == email)
        ).first()
        return found is not None

    def add_user(self, user: User, now: datetime, *, clinic_ids: Sequence[str] = (),
                 supervising_therapist_id: str | None = None) -> None:
        self.session.execute(insert(users).values(
            id=user.id, org_id=user.practice_id, email=user.email,
            email_normalized=user.email.lower(), full_name=user.full_name,
            user_type=user.user_type, kind=user.kind.value,
            status=ACTIVE if user.active else INACTIVE, created_at=now,
            default_clinic_id=user.default_clinic_id,
            supervising_therapist_id=supervising_therapist_id,
            **_override_columns(user), permission_version=user.permission_version,
        ))
        for clinic_id in dict.fromkeys(clinic_ids):
            self.session.execute(insert(user_clinics).values(user_id=user.id, clinic_id=clinic_id))

    def save_user(self, user: User) -> None:
        self.session.execute(update(users).where(users.c.id == user.id).values(
            full_name=user.full_name, user_type=user.user_type,
            status=ACTIVE if user.active else INACTIVE,
            default_clinic_id=user.default_clinic_id,
            **_override_columns(user), permission_version=user.permission_version,
        ))

    def set_clinics(self, user_id: str, clinic_ids: Sequence[str]) -> None:
        self.session.execute(delete(user_clinics).where(user_clinics.c.user_id == user_id))
        for clinic_id in dict.fromkeys(clinic_ids):
            self.session.execute(insert(user_clinics).values(user_id=user_id, clinic_id=clinic_id))

    def set_supervisor(self, user_id: str, supervisor_id: str | None) -> None:
        self.session.execute(update(users).where(users.c.id == user_id).values(
            supervising_therapist_id=supervisor_id))

    def clinic_ids_of(self, user: User) -> tuple[str, ...]:
        rows = self.session.execute(
            select(user_clinics.c.clinic_id).where(user_clinics.c.user_id == user.id)
            .order_by(user_clinics.c.clinic_id)
        ).scalars()
        ids = list(rows)
        if user.default_clinic_id and user.default_clinic_id not in ids:
            ids.insert(0, user.default_clinic_id)
        return tuple(ids)

    def user_details(self, user_id: str) -> dict:
        """Columns the domain value does not carry (supervisor, creation time)."""
        return dict(self.session.execute(
            select(users.c.supervising_therapist_id, users.c.created_at, users.c.status)
            .where(users.c.id == user_id)
        ).mappings().one())

    def set_password_hash(self, user_id: str, password_hash: str) -> None:
        self.session.execute(
            update(users).where(users.c.id == user_id).values(password_hash=password_hash)
        )

    def has_password(self, user_id: str) -> bool:
        return self.session.execute(
            select(users.c.password_hash).where(users.c.id == user_id)
        ).scalar_one_or_none() is not None

    def bump_permission_version(self, user_id: str) -> int:
        """Make every access token issued to the user so far stale; returns the new version."""
        self.session.execute(update(users).where(users.c.id == user_id).values(
            permission_version=users.c.permission_version + 1))
        return self.session.execute(
            select(users.c.permission_version).where(users.c.id == user_id)
        ).scalar_one()

    def save_billing_integration(self, practice_id: str,
                                 integration: BillingIntegration | None) -> None:
        self.session.execute(update(practices).where(practices.c.id == practice_id).values(
            billing_integration=integration.name if integration else None,
            billing_provider_ids=sorted(integration.provider_user_ids) if integration else [],
        ))

    def permission_version(self, user_id: str) -> int | None:
        return self.session.execute(
            select(users.c.permission_version).where(users.c.id == user_id)
        ).scalar_one_or_none()

    # --- sign-in failures ------------------------------------------------------------
    # --- refresh token families ------------------------------------------------------
    def family_holding(self, token_hash: str) -> RefreshFamily | None:
        family_id = self.session.execute(
            select(refresh_tokens.c.family_id).where(refresh_tokens.c.token_hash == token_hash)
        ).scalar_one_or_none()
        return self.family(family_id) if family_id else None

    def family(self, family_id: str) -> RefreshFamily:
        row = self.session.execute(
            select(refresh_families).where(refresh_families.c.id == family_id)
        ).mappings().one()
        hashes = set(self.session.execute(
            select(refresh_tokens.c.token_hash).where(refresh_tokens.c.family_id == family_id)
        ).scalars())
        return RefreshFamily(
            id=row["id"], user_id=row["user_id"], current_hash=row["current_hash"],
            current_expires_at=row["current_expires_at"], started_at=row["started_at"],
            expires_at=row["expires_at"], retired_hashes=frozenset(hashes - {row["current_hash"]}),
            revoked_at=row["revoked_at"], revoked_reason=row["revoked_reason"],
            second_factor=row["second_factor"],
        )

    def add_family(self, family: RefreshFamily) -> None:
        self.session.execute(insert(refresh_families).values(
            id=family.id, user_id=family.user_id, current_hash=family.current_hash,
            current_expires_at=family.current_expires_at, started_at=family.started_at,
            expires_at=family.expires_at, second_factor=family.second_factor,
        ))
        self._add_token(family.id, family.current_hash, family.started_at)

    def save_family(self, family: RefreshFamily, now: datetime) -> None:
        known = self.session.execute(
            select(refresh_tokens.c.token_hash).where(
                refresh_tokens.c.token_hash == family.current_hash)
        ).first()
        if known is None:
            self._add_token(family.id, family.current_hash, now)
        self.session.execute(update(refresh_families).where(
            refresh_families.c.id == family.id).values(
            current_hash=family.current_hash, current_expires_at=family.current_expires_at,
            revoked_at=family.revoked_at, revoked_reason=family.revoked_reason,
        ))

    def mark_second_factor(self, family_id: str, user_id: str) -> None:
        """The session passed a second factor (its owner enrolled from inside it)."""
        self.session.execute(update(refresh_families).where(
            refresh_families.c.id == family_id, refresh_families.c.user_id == user_id
        ).values(second_factor=True))

    def open_families_of(self, user_id: str) -> list[RefreshFamily]:
        ids = self.session.execute(select(refresh_families.c.id).where(
            refresh_families.c.user_id == user_id, refresh_families.c.revoked_at.is_(None)
        )).scalars()
        return [self.family(family_id) for family_id in ids]

    def _add_token(self, family_id: str, token_hash: str, now: datetime) -> None:
        self.session.execute(insert(refresh_tokens).values(
            token_hash=token_hash, family_id=family_id, issued_at=now))


def _override_columns(user: User) -> dict[str, list[str]]:
    return {
        "granted_permissions": sorted(user.overrides.granted),
        "revoked_permissions": sorted(user.overrides.revoked),
    }


def _user(row: RowMapping) -> User:
    return User(
        id=row["id"], practice_id=row["org_id"], email=row["email"],
        full_name=row["full_name"], user_type=row["user_type"], kind=UserKind(row["kind"]),
        default_clinic_id=row["default_clinic_id"],
        overrides=PermissionOverrides(
            frozenset(row["granted_permissions"] or ()),
            frozenset(row["revoked_permissions"] or ()),
        ),
        permission_version=row["permission_version"], active=row["status"] == ACTIVE,
    )


def _clinic(row: RowMapping) -> Clinic:
    return Clinic(id=row["id"], practice_id=row["org_id"], name=row["name"],
                  assistants_may_finalize=row["assistants_may_finalize"],
                  time_zone=row["time_zone"])


class PasswordSetupRepository:
    """One-time password-setup links, looked up by the hash of the raw token."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, setup: PasswordReset) -> None:
        self.session.execute(insert(password_setups).values(
            token_hash=setup.token_hash, user_id=setup.user_id, issued_at=setup.issued_at,
            expires_at=setup.expires_at))

    def get(self, token_hash: str) -> PasswordReset | None:
        row = self.session.execute(
            select(password_setups).where(password_setups.c.token_hash == token_hash)
        ).mappings().one_or_none()
        if row is None:
            return None
        return PasswordReset(user_id=row["user_id"], token_hash=row["token_hash"],
                             issued_at=row["issued_at"], expires_at=row["expires_at"],
                             used_at=row["used_at"])

    def mark_used(self, setup: PasswordReset) -> None:
        self.session.execute(update(password_setups).where(
            password_setups.c.token_hash == setup.token_hash).values(used_at=setup.used_at))

    def spend_all_of(self, user_id: str, now: datetime) -> None:
        """Mark every unused setup link of the user used: a new password ends them all."""
        self.session.execute(update(password_setups).where(
            password_setups.c.user_id == user_id, password_setups.c.used_at.is_(None),
        ).values(used_at=now))


class PasswordResetRepository:
    """Password reset links, and the accounts a reset request may be for."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def accounts_with_email(self, email: str, kinds: Sequence[str]) -> list[User]:
        """Active accounts of these kinds with this (normalized) address, oldest first."""
        rows = self.session.execute(select(users).where(
            users.c.email_normalized == email, users.c.kind.in_(kinds),
            users.c.status == ACTIVE,
        ).order_by(users.c.created_at)).mappings()
        return [_user(row) for row in rows]

    def add(self, reset: PasswordReset) -> None:
        self.session.execute(insert(password_resets).values(
            token_hash=reset.token_hash, user_id=reset.user_id, issued_at=reset.issued_at,
            expires_at=reset.expires_at))

    def get(self, token_hash: str) -> PasswordReset | None:
        row = self.session.execute(
            select(password_resets).where(password_resets.c.token_hash == token_hash)
        ).mappings().one_or_none()
        if row is None:
            return None
        return PasswordReset(user_id=row["user_id"], token_hash=row["token_hash"],
                             issued_at=row["issued_at"], expires_at=row["expires_at"],
                             used_at=row["used_at"])

    def issued_since(self, user_id: str, since: datetime) -> list[datetime]:
        return list(self.session.execute(select(password_resets.c.issued_at).where(
            password_resets.c.user_id == user_id, password_resets.c.issued_at > since,
        )).scalars())

    def spend_all_of(self, user_id: str, now: datetime) -> None:
        """Mark every unused link of the user used: one reset ends all of them."""
        self.session.execute(update(password_resets).where(
            password_resets.c.user_id == user_id, password_resets.c.used_at.is_(None),
        ).values(used_at=now))

"""Invitations, practitioner records and staff roles, always scoped to one practice."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, RowMapping, and_, delete, func, insert, select, update
from sqlalchemy.orm import Session

from identity.adapters.tables import invitations, practitioners, staff_roles
from identity.domain.invitations import Invitation
from identity.domain.practitioners import PendingPractitioner, Practitioner, PractitionerLink
from identity.domain.roles import ClinicalRole, PermissionLevel, PracticeRole
from identity.domain.staff_roles import StaffRole
from servicekit.db import rowcount

MAIL_SENT, MAIL_PENDING = "sent", "pending"


class InvitationRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # --- invitations -------------------------------------------------------------------
    def get(self, practice_id: str, invitation_id: str) -> Invitation | None:
        row = self.session.execute(select(invitations).where(
            invitations.c.id == invitation_id, invitations.c.org_id == practice_id,
        )).mappings().one_or_none()
        return _invitation(row) if row else None

    def holding(self, token_hash: str) -> Invitation | None:
        """The invitation whose current link has this token hash (an older link has none)."""
        row = self.session.execute(
            select(invitations).where(invitations.c.token_hash == token_hash)
            .with_for_update()  # two tabs accepting one link: the second waits, then fails
        ).mappings().one_or_none()
        return _invitation(row) if row else None

    def of(self, practice_id: str) -> list[Invitation]:
        rows = self.session.execute(
            select(invitations).where(invitations.c.org_id == practice_id)
            .order_by(invitations.c.sent_at.desc())
        ).mappings()
        return [_invitation(row) for row in rows]

    def pending_count(self, practice_id: str, now: datetime) -> int:
        return self.session.execute(select(func.count()).select_from(invitations).where(
            invitations.c.org_id == practice_id, invitations.c.accepted_at.is_(None),
            invitations.c.revoked_at.is_(None), invitations.c.expires_at > now,
        )).scalar_one()

    def pending_for(self, practice_id: str, email: str, now: datetime) -> str | None:
        """The id of an open invitation to this address, if there is one."""
        return self.session.execute(select(invitations.c.id).where(
            invitations.c.org_id == practice_id, invitations.c.email == email,
            invitations.c.accepted_at.is_(None), invitations.c.revoked_at.is_(None),
            invitations.c.expires_at > now,
        )).scalars().first()

    def extras(self, invitation_id: str) -> dict:
        """Columns the domain value does not carry (default clinic, supervisor, account,
        mail)."""
        return dict(self.session.execute(select(
            invitations.c.default_clinic_id, invitations.c.user_id, invitations.c.mail_status,
            invitations.c.supervising_therapist_id,
        ).where(invitations.c.id == invitation_id)).mappings().one())

    def add(self, invitation: Invitation, *, default_clinic_id: str | None,
            supervising_therapist_id: str | None = None) -> None:
        link = invitation.practitioner or PractitionerLink()
        self.session.execute(insert(invitations).values(
            id=invitation.id, org_id=invitation.practice_id, email=invitation.email,
            full_name=invitation.full_name, practice_role=invitation.role.value,
            permission_level=invitation.permission_level.value,
            clinical_role=invitation.clinical_role.value if invitation.clinical_role else None,
            user_type=invitation.user_type, practitioner_id=link.existing_id,
            new_practitioner_name=link.new_name, new_practitioner_confirmed=link.confirmed,
            default_clinic_id=default_clinic_id,
            supervising_therapist_id=supervising_therapist_id,
            invited_by=invitation.invited_by, token_hash=invitation.token_hash,
            sent_at=invitation.sent_at, expires_at=invitation.expires_at,
            mail_status=MAIL_PENDING,
        ))

    def save(self, invitation: Invitation, *, user_id: str | None = None) -> None:
        """Store a resend (new token, mail pending again), a revocation or an acceptance."""
        values = dict(token_hash=invitation.token_hash, sent_at=invitation.sent_at,
                      expires_at=invitation.expires_at, accepted_at=invitation.accepted_at,
                      revoked_at=invitation.revoked_at)
        current = self.session.execute(select(invitations.c.token_hash).where(
            invitations.c.id == invitation.id)).scalar_one()
        if current != invitation.token_hash:
            values["mail_status"] = MAIL_PENDING
        if user_id is not None:
            values["user_id"] = user_id
        self.session.execute(
            update(invitations).where(invitations.c.id == invitation.id).values(**values)
        )

    def mark_mail_sent(self, invitation_id: str, token_hash: str) -> None:
        """Only for the link that was mailed: a resend in between keeps its own status."""
        self.session.execute(update(invitations).where(
            invitations.c.id == invitation_id, invitations.c.token_hash == token_hash,
        ).values(mail_status=MAIL_SENT))

    # --- practitioner records and roles ----------------------------------------------
    def practitioners_of(self, practice_id: str, now: datetime | None = None
                         ) -> list[Practitioner]:
        """Every record with the user it is linked to and (given ``now``) the open
        invitation that will link it."""
        rows = self.session.execute(
            select(practitioners.c.id, practitioners.c.name, practitioners.c.user_id)
            .where(practitioners.c.org_id == practice_id).order_by(practitioners.c.name)
        )
        claimed = self._claimed_records(practice_id, now) if now is not None else {}
        return [Practitioner(row.id, row.name, row.user_id, claimed.get(row.id))
                for row in rows]

    def _claimed_records(self, practice_id: str, now: datetime) -> dict[str, str]:
        rows = self.session.execute(select(invitations.c.practitioner_id, invitations.c.id)
                                    .where(_open(practice_id, now),
                                           invitations.c.practitioner_id.is_not(None)))
        return {row.practitioner_id: row.id for row in rows}

    def pending_new_practitioners(self, practice_id: str, now: datetime
                                  ) -> list[PendingPractitioner]:
        """Open invitations that will create a practitioner record when accepted."""
        rows = self.session.execute(select(invitations.c.id, invitations.c.new_practitioner_name)
                                    .where(_open(practice_id, now),
                                           invitations.c.new_practitioner_name.is_not(None)))
        return [PendingPractitioner(row.id, row.new_practitioner_name) for row in rows]

    def add_practitioner(self, practice_id: str, practitioner: Practitioner, *,
                         user_id: str, now: datetime) -> None:
        self.session.execute(insert(practitioners).values(
            id=practitioner.id, org_id=practice_id, name=practitioner.name, user_id=user_id,
            created_at=now))

    def link_practitioner(self, practice_id: str, practitioner_id: str, user_id: str) -> bool:
        """Link a free record; False if it is someone's already (nothing changes)."""
        return rowcount(self.session.execute(update(practitioners).where(
            practitioners.c.id == practitioner_id, practitioners.c.org_id == practice_id,
            practitioners.c.user_id.is_(None),
        ).values(user_id=user_id))) == 1

    def add_staff_role(self, practice_id: str, user_id: str, role: StaffRole) -> None:
        self.session.execute(insert(staff_roles).values(
            user_id=user_id, org_id=practice_id, practice_role=role.role.value,
            clinical_role=role.clinical_role.value if role.clinical_role else None,
            practitioner_id=role.practitioner_id,
        ))

    def save_staff_role(self, practice_id: str, user_id: str, role: StaffRole) -> None:
        """Record a role edited by a User Manager (replacing any recorded before)."""
        self.session.execute(delete(staff_roles).where(staff_roles.c.user_id == user_id))
        self.add_staff_role(practice_id, user_id, role)

    def staff_role(self, user_id: str) -> StaffRole | None:
        row = self.session.execute(
            select(staff_roles).where(staff_roles.c.user_id == user_id)
        ).mappings().one_or_none()
        if row is None:
            return None
        clinical = row["clinical_role"]
        return StaffRole(PracticeRole(row["practice_role"]),
                         ClinicalRole(clinical) if clinical else None, row["practitioner_id"])


def _open(practice_id: str, now: datetime) -> ColumnElement[bool]:
    return and_(invitations.c.org_id == practice_id, invitations.c.accepted_at.is_(None),
                invitations.c.revoked_at.is_(None), invitations.c.expires_at > now)


def _invitation(row: RowMapping) -> Invitation:
    link = None
    if row["practitioner_id"] or row["new_practitioner_name"]:
        link = PractitionerLink(row["practitioner_id"], row["new_practitioner_name"],
                                bool(row["new_practitioner_confirmed"]))
    clinical = row["clinical_role"]
    return Invitation(
        id=row["id"], practice_id=row["org_id"], email=row["email"],
        full_name=row["full_name"], role=PracticeRole(row["practice_role"]),
        permission_level=PermissionLevel(row["permission_level"]),
        clinical_role=ClinicalRole(clinical) if clinical else None,
        user_type=row["user_type"], practitioner=link, invited_by=row["invited_by"],
        token_hash=row["token_hash"], sent_at=row["sent_at"], expires_at=row["expires_at"],
        accepted_at=row["accepted_at"], revoked_at=row["revoked_at"],
    )

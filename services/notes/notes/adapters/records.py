"""Patients, insurances, cases and patient transactions of one practice."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from notes.adapters.tables import cases, insurances, patients, transactions
from notes.domain.transactions import PatientTransaction


class PracticeRecords:
    """Every query is scoped to one practice: another practice's id finds nothing."""

    def __init__(self, session: Session, org_id: str) -> None:
        self.session, self.org_id = session, org_id

    def _one(self, table: Any, row_id: str) -> dict[str, Any] | None:
        row = self.session.execute(
            select(table).where(table.c.id == row_id, table.c.org_id == self.org_id)
        ).mappings().first()
        return dict(row) if row else None

    def _add(self, table: Any, values: dict[str, Any]) -> None:
        self.session.execute(table.insert().values(org_id=self.org_id, **values))

    def _update(self, table: Any, row_id: str, values: dict[str, Any]) -> None:
        self.session.execute(update(table).where(
            table.c.id == row_id, table.c.org_id == self.org_id).values(**values))

    # --- patients ---------------------------------------------------------------------------

    def patient(self, patient_id: str) -> dict[str, Any] | None:
        return self._one(patients, patient_id)

    def add_patient(self, values: dict[str, Any]) -> None:
        self._add(patients, values)

    def update_patient(self, patient_id: str, values: dict[str, Any]) -> None:
        self._update(patients, patient_id, values)

    def search_patients(self, name: str | None, date_of_birth: date | None, *, offset: int,
                        limit: int) -> tuple[list[dict[str, Any]], int]:
        where = [patients.c.org_id == self.org_id]
        if name:
            for word in name.lower().split():
                pattern = f"%{_escape_like(word)}%"
                where.append(or_(func.lower(patients.c.first_name).like(pattern, escape="\\"),
                                 func.lower(patients.c.last_name).like(pattern, escape="\\")))
        if date_of_birth:
            where.append(patients.c.date_of_birth == date_of_birth)
        total = self.session.execute(
            select(func.count()).select_from(patients).where(*where)).scalar_one()
        rows = self.session.execute(
            select(patients).where(*where)
            .order_by(patients.c.last_name, patients.c.first_name, patients.c.id)
            .offset(offset).limit(limit)
        ).mappings().all()
        return [dict(row) for row in rows], total

    # --- insurances and cases ---------------------------------------------------------------

    def insurances(self) -> list[dict[str, Any]]:
        rows = self.session.execute(
            select(insurances).where(insurances.c.org_id == self.org_id)
            .order_by(insurances.c.name)).mappings().all()
        return [dict(row) for row in rows]

    def insurance(self, insurance_id: str) -> dict[str, Any] | None:
        return self._one(insurances, insurance_id)

    def add_insurance(self, values: dict[str, Any]) -> None:
        self._add(insurances, values)

    def update_insurance(self, insurance_id: str, values: dict[str, Any]) -> None:
        self._update(insurances, insurance_id, values)

    def case(self, case_id: str) -> dict[str, Any] | None:
        return self._one(cases, case_id)

    def cases_of(self, patient_id: str) -> list[dict[str, Any]]:
        rows = self.session.execute(
            select(cases).where(cases.c.org_id == self.org_id, cases.c.patient_id == patient_id)
            .order_by(cases.c.created_at)).mappings().all()
        return [dict(row) for row in rows]

    def add_case(self, values: dict[str, Any]) -> None:
        self._add(cases, values)

    def update_case(self, case_id: str, values: dict[str, Any]) -> None:
        self._update(cases, case_id, values)

    # --- transactions -----------------------------------------------------------------------

    def transactions_of(self, patient_id: str) -> list[PatientTransaction]:
        rows = self.session.execute(
            select(transactions).where(transactions.c.org_id == self.org_id,
                                       transactions.c.patient_id == patient_id)
            .order_by(transactions.c.date_of_service, transactions.c.created_at)
        ).mappings().all()
        return [_transaction(row) for row in rows]

    def transaction(self, transaction_id: str) -> PatientTransaction | None:
        row = self._one(transactions, transaction_id)
        return _transaction(row) if row else None

    def save_transaction_deletion(self, charge: PatientTransaction) -> None:
        self._update(transactions, charge.id, {"deleted_at": charge.deleted_at,
                                               "deleted_by_id": charge.deleted_by_id})


def _transaction(row: Any) -> PatientTransaction:
    return PatientTransaction(
        id=row["id"], note_id=row["note_id"], patient_id=row["patient_id"],
        case_id=row["case_id"], code=row["code"], units=row["units"],
        modifiers=tuple(row["modifiers"]), manual=row["manual"],
        date_of_service=row["date_of_service"], provider_id=row["provider_id"],
        created_at=row["created_at"], deleted_at=row["deleted_at"],
        deleted_by_id=row["deleted_by_id"])


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")

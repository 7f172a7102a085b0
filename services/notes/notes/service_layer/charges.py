"""Patient transactions (charges): listed per patient, deleted with a record of who did it."""

from __future__ import annotations

from datetime import datetime

from notes.adapters.projection import IdentityProjection
from notes.adapters.records import PracticeRecords
from notes.domain.transactions import PatientTransaction
from notes.events.notes import TRANSACTION_DELETED
from notes.events.patients import PATIENT_VIEWED
from notes.service_layer.callers import Caller, load_practice_user
from notes.service_layer.errors import NotFoundInPractice
from notes.service_layer.patients import require_patient
from servicekit.db import UnitOfWork
from servicekit.messaging.envelope import Subject


def transactions_of_patient(uow: UnitOfWork, caller: Caller, patient_id: str
                            ) -> list[PatientTransaction]:
    with uow:
        records = PracticeRecords(uow.session, caller.org_id)
        require_patient(records, patient_id)
        found = records.transactions_of(patient_id)
        uow.publish(PATIENT_VIEWED.event(
            subject=Subject("patient", patient_id),
            org_id=caller.org_id, actor=caller.actor, patient_id=patient_id,
            data={"section": "transactions"}))
        uow.commit()
    return found


def delete_transaction(uow: UnitOfWork, caller: Caller, transaction_id: str, now: datetime
                       ) -> PatientTransaction:
    with uow:
        records = PracticeRecords(uow.session, caller.org_id)
        by = load_practice_user(IdentityProjection(uow.session), caller)
        charge = records.transaction(transaction_id)
        if charge is None:
            raise NotFoundInPractice("There is no such charge in your practice.",
                                     {"transaction_id": transaction_id})
        charge.delete(by, now)
        records.save_transaction_deletion(charge)
        uow.publish(TRANSACTION_DELETED.event(
            subject=Subject("transaction", charge.id),
            org_id=caller.org_id, actor=caller.actor, patient_id=charge.patient_id,
            data={"note_id": charge.note_id, "code": charge.code, "units": charge.units,
                  "provider_id": charge.provider_id,
                  "date_of_service": charge.date_of_service.isoformat()}))
        uow.commit()
    return charge

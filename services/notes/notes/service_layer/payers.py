"""Insurances (payers) with their finalization setting, and the cases that bill them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from notes.adapters.records import PracticeRecords
from notes.events.patients import CASE_CREATED, CASE_VIEWED, INSURANCE_CREATED, INSURANCE_UPDATED
from notes.service_layer.callers import Caller
from notes.service_layer.errors import InvalidRequest, NotFoundInPractice
from notes.service_layer.patients import require_patient
from servicekit.db import UnitOfWork
from servicekit.messaging.definitions import EventDefinition
from servicekit.messaging.envelope import Subject


def list_insurances(uow: UnitOfWork, caller: Caller) -> list[dict[str, Any]]:
    with uow:
        return PracticeRecords(uow.session, caller.org_id).insurances()


def add_insurance(uow: UnitOfWork, caller: Caller, values: dict[str, Any], now: datetime
                  ) -> dict[str, Any]:
    with uow:
        records = PracticeRecords(uow.session, caller.org_id)
        insurance_id = str(uuid.uuid4())
        records.add_insurance({"id": insurance_id, "created_at": now, **values})
        uow.publish(_insurance_event(INSURANCE_CREATED, caller, insurance_id, values))
        insurance = records.insurance(insurance_id)
        assert insurance is not None  # added in this transaction
        uow.commit()
    return insurance


def change_insurance(uow: UnitOfWork, caller: Caller, insurance_id: str,
                     changes: dict[str, Any]) -> dict[str, Any]:
    with uow:
        records = PracticeRecords(uow.session, caller.org_id)
        before = records.insurance(insurance_id)
        if before is None:
            raise NotFoundInPractice("There is no such insurance in your practice.",
                                     {"insurance_id": insurance_id})
        records.update_insurance(insurance_id, changes)
        after = records.insurance(insurance_id)
        assert after is not None  # found above, in this transaction
        uow.publish(_insurance_event(INSURANCE_UPDATED, caller, insurance_id, {
            "before": {k: before[k] for k in changes}, "after": changes}))
        uow.commit()
    return after


def open_case(uow: UnitOfWork, caller: Caller, values: dict[str, Any], now: datetime
              ) -> dict[str, Any]:
    with uow:
        records = PracticeRecords(uow.session, caller.org_id)
        require_patient(records, values["patient_id"])
        if records.insurance(values["insurance_id"]) is None:
            raise InvalidRequest("Pick an insurance of your own practice.",
                                 {"insurance_id": values["insurance_id"]})
        case_id = str(uuid.uuid4())
        records.add_case({"id": case_id, "created_at": now, **values})
        uow.publish(CASE_CREATED.event(
            subject=Subject("case", case_id), org_id=caller.org_id,
            actor=caller.actor, patient_id=values["patient_id"],
            data={"insurance_id": values["insurance_id"]}))
        case = records.case(case_id)
        assert case is not None  # added in this transaction
        uow.commit()
    return case


def view_case(uow: UnitOfWork, caller: Caller, case_id: str) -> dict[str, Any]:
    with uow:
        case = PracticeRecords(uow.session, caller.org_id).case(case_id)
        if case is None:
            raise NotFoundInPractice("There is no such case in your practice.",
                                     {"case_id": case_id})
        uow.publish(CASE_VIEWED.event(
            subject=Subject("case", case_id), org_id=caller.org_id,
            actor=caller.actor, patient_id=case["patient_id"]))
        uow.commit()
    return case


def _insurance_event(definition: EventDefinition, caller: Caller, insurance_id: str,
                     data: dict[str, Any]) -> Any:
    return definition.event(subject=Subject("insurance", insurance_id),
                            org_id=caller.org_id, actor=caller.actor, data=dict(data))

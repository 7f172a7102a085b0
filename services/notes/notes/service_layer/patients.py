"""Patients: search, read (each read leaves an access event), register and correct."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from notes.adapters.projection import IdentityProjection
from notes.adapters.records import PracticeRecords
from notes.domain.patient_records import practice_model, require_patient_record_editor
from notes.events.patients import (
    PATIENT_CREATED,
    PATIENT_RESIDENCE_RECORDED,
    PATIENT_SEARCHED,
    PATIENT_UPDATED,
    PATIENT_VIEWED,
)
from notes.service_layer.callers import Caller
from notes.service_layer.errors import InvalidRequest, NotFoundInPractice
from servicekit.db import UnitOfWork
from servicekit.messaging.definitions import EventDefinition
from servicekit.messaging.envelope import Subject

RESIDENCE_RECORDED = PATIENT_RESIDENCE_RECORDED


def require_patient(records: PracticeRecords, patient_id: str) -> dict[str, Any]:
    patient = records.patient(patient_id)
    if patient is None:
        raise NotFoundInPractice("There is no such patient in your practice.",
                                 {"patient_id": patient_id})
    return patient


def search_patients(uow: UnitOfWork, caller: Caller, *, name: str | None,
                    date_of_birth: date | None, page: int, page_size: int
                    ) -> tuple[list[dict[str, Any]], int]:
    with uow:
        records = PracticeRecords(uow.session, caller.org_id)
        found, total = records.search_patients(
            name, date_of_birth, offset=(page - 1) * page_size, limit=page_size)
        # A result list shows patients' names: audit must know whose.
        uow.publish(PATIENT_SEARCHED.event(
            subject=Subject("patient_search", str(uuid.uuid4())),
            org_id=caller.org_id, actor=caller.actor,
            data={"patient_ids": [p["id"] for p in found], "page": page, "total": total,
                  "by_name": bool(name), "by_date_of_birth": date_of_birth is not None}))
        uow.commit()
    return found, total


def view_patient(uow: UnitOfWork, caller: Caller, patient_id: str) -> dict[str, Any]:
    with uow:
        records = PracticeRecords(uow.session, caller.org_id)
        patient = require_patient(records, patient_id)
        patient["cases"] = records.cases_of(patient_id)
        uow.publish(_event(PATIENT_VIEWED, caller, patient_id))
        uow.commit()
    return patient


def register_patient(uow: UnitOfWork, caller: Caller, values: dict[str, Any], now: datetime
                     ) -> dict[str, Any]:
    with uow:
        records = PracticeRecords(uow.session, caller.org_id)
        _require_clinic(IdentityProjection(uow.session), caller, values["clinic_id"])
        patient_id = str(uuid.uuid4())
        records.add_patient({"id": patient_id, **values, "created_at": now, "updated_at": now})
        uow.publish(_event(PATIENT_CREATED, caller, patient_id,
                           {"clinic_id": values["clinic_id"],
                            "external_id": values.get("external_id")}))
        if values.get("state_of_residence"):
            uow.publish(_residence_recorded(caller, patient_id, values["state_of_residence"]))
        patient = records.patient(patient_id)
        assert patient is not None  # added in this transaction
        uow.commit()
    return patient


@dataclass(frozen=True)
class PatientCorrection:
    patient: dict[str, Any]
    warning: str | None  # a dental practice's privacy warning, shown with every edit


def correct_patient(uow: UnitOfWork, caller: Caller, patient_id: str, changes: dict[str, Any],
                    now: datetime) -> PatientCorrection:
    """Change a patient's record: edit_patients in a therapy practice, an Admin in a dental one."""
    with uow:
        records = PracticeRecords(uow.session, caller.org_id)
        model = practice_model(IdentityProjection(uow.session).practice_model(caller.org_id))
        warning = require_patient_record_editor(model, caller.permissions)
        before = require_patient(records, patient_id)
        if "clinic_id" in changes:
            _require_clinic(IdentityProjection(uow.session), caller, changes["clinic_id"])
        changed = sorted(k for k, v in changes.items() if before.get(k) != v)
        if changed:
            records.update_patient(patient_id, {**changes, "updated_at": now})
            # Field names only: the event log is no second copy of the chart.
            uow.publish(_event(PATIENT_UPDATED, caller, patient_id,
                               {"changed": changed}))
            if "state_of_residence" in changed:
                uow.publish(_residence_recorded(caller, patient_id,
                                                changes["state_of_residence"]))
        patient = records.patient(patient_id)
        assert patient is not None  # found above, in this transaction
        uow.commit()
    return PatientCorrection(patient, warning)


def _require_clinic(projection: IdentityProjection, caller: Caller, clinic_id: str) -> None:
    if projection.clinic(caller.org_id, clinic_id) is None:
        raise InvalidRequest("Pick a clinic of your own practice.", {"clinic_id": clinic_id})


def _residence_recorded(caller: Caller, patient_id: str, state: str | None) -> Any:
    # The state's code alone (null: no longer known), for audit's breach notices per state;
    # the address stays in notes.
    return _event(RESIDENCE_RECORDED, caller, patient_id, {"state": state})


def _event(definition: EventDefinition, caller: Caller, patient_id: str,
           data: dict[str, Any] | None = None) -> Any:
    return definition.event(subject=Subject("patient", patient_id), org_id=caller.org_id,
                            actor=caller.actor, patient_id=patient_id, data=data or {})

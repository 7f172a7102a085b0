"""Changing a patient's case: its title, and its insurance while nothing was signed under it."""

from __future__ import annotations

from typing import Any

from notes.adapters.note_store import NoteStore
from notes.adapters.records import PracticeRecords
from notes.domain.cases import check_insurance_change
from notes.events.patients import CASE_UPDATED
from notes.service_layer.callers import Caller
from notes.service_layer.errors import InvalidRequest, NotFoundInPractice
from servicekit.db import UnitOfWork
from servicekit.messaging.envelope import Subject


def change_case(uow: UnitOfWork, caller: Caller, case_id: str, changes: dict[str, Any]
                ) -> dict[str, Any]:
    """Rename the case or change its insurance (only while none of its notes is finalized)."""
    with uow:
        records = PracticeRecords(uow.session, caller.org_id)
        before = records.case(case_id)
        if before is None:
            raise NotFoundInPractice("There is no such case in your practice.",
                                     {"case_id": case_id})
        if "insurance_id" in changes:
            if records.insurance(changes["insurance_id"]) is None:
                raise InvalidRequest("Pick an insurance of your own practice.",
                                     {"insurance_id": changes["insurance_id"]})
            check_insurance_change(
                case_id, before["insurance_id"], changes["insurance_id"],
                has_finalized_note=NoteStore(uow.session).has_finalized_note(caller.org_id,
                                                                             case_id))
        records.update_case(case_id, changes)
        # The title is the clinic's free text (it may name a condition): only its field name.
        data: dict[str, Any] = {"changed": sorted(changes)}
        if "insurance_id" in changes:
            data["insurance"] = {"before": before["insurance_id"],
                                 "after": changes["insurance_id"]}
        uow.publish(CASE_UPDATED.event(
            subject=Subject("case", case_id), org_id=caller.org_id,
            actor=caller.actor, patient_id=before["patient_id"], data=data))
        after = records.case(case_id)
        assert after is not None  # found above, in this transaction
        uow.commit()
    return after

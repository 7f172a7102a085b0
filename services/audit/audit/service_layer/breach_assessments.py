"""Breach assessments: made from the record, stored append-only, evented, listed, read back."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from audit.adapters.breach_store import BreachAssessmentStore
from audit.domain.breach import AffectedIndividual, Recipient, assess_breach
from audit.domain.breach_risk import FactorRating, assess_compromise_risk
from audit.domain.chain import canonical_bytes
from audit.domain.pages import NewestFirstKey
from audit.domain.scope import Scope
from audit.events import BREACH_ASSESSMENT_CREATED
from audit.service_layer.access_reports import access_report_of_user, patient_states
from audit.service_layer.errors import NotFoundInScope
from servicekit.db import UnitOfWork
from servicekit.messaging.envelope import Actor, Event, Subject


@dataclass(frozen=True)
class BreachQuestion:
    """What the person assessing gives: who is suspected, when, which patients, the factors."""

    discovered_on: date
    start: datetime
    end: datetime
    suspect_profiles: tuple[str, ...] = ()
    patient_ids: tuple[str, ...] = ()
    ratings: tuple[FactorRating, ...] = ()
    summary: str | None = None


def make_breach_assessment(
    uow: UnitOfWork, scope: Scope, question: BreachQuestion, by: Actor, now: datetime
) -> dict[str, Any]:
    """Assess, store and publish in one transaction; return the stored assessment."""
    with uow:
        document = _assess(uow.session, scope, question, by, now)
        BreachAssessmentStore(uow.session).add(document, by=by, at=now,
                                               discovered_on=question.discovered_on)
        uow.publish(_created_event(document, by))
        uow.commit()
    return {**document, "intact": True}


def _assess(
    session: Session, scope: Scope, question: BreachQuestion, by: Actor, now: datetime
) -> dict[str, Any]:
    touched, records = set(question.patient_ids), 0
    for suspect in dict.fromkeys(question.suspect_profiles):
        report = access_report_of_user(session, scope, suspect, question.start, question.end)
        touched |= {row.key for row in report.rows}
        records += report.total_records
    states = patient_states(session, scope, touched)
    breach = assess_breach((AffectedIndividual(p, s) for p, s in states.items()),
                           question.discovered_on)
    risk = assess_compromise_risk(question.ratings, records)
    # Notices are owed only when the incident is a breach; a low probability owes none.
    notices = breach.notices if risk.notification_required else ()
    document = {
        "id": str(uuid.uuid4()),
        "org_id": scope.org_id,
        "created_at": now.isoformat(),
        "created_by": {"id": by.id, "email": by.email, "kind": by.kind},
        "discovered_on": question.discovered_on.isoformat(),
        "inputs": _inputs_of(question),
        "affected": [{"patient_id": p, "state": states[p]} for p in sorted(states)],
        "affected_count": breach.affected_count,
        "per_state": breach.per_state,
        "unknown_state_count": breach.unknown_state_count,
        "reaches_500": breach.reaches_500,
        "risk": {
            "factors": [{"factor": r.factor.value, "rating": r.rating.value,
                         "rationale": r.rationale} for r in risk.ratings],
            "probability_of_compromise": risk.probability_of_compromise.value,
            "notification_required": risk.notification_required,
            "records_touched": risk.records_touched,
        },
        "notices": [{"to": n.to.value, "due": n.due.isoformat(), "instruction": n.instruction,
                     "state": n.state} for n in notices],
        "notes": [*breach.notes, *risk.notes],
        # Owed only when the incident is a breach, like every notice.
        "media_notice_required_states": list(breach.media_notice_required_states)
        if risk.notification_required else [],
    }
    return {**document, "content_hash": content_hash(document)}


def _inputs_of(question: BreachQuestion) -> dict[str, Any]:
    return {
        "discovered_on": question.discovered_on.isoformat(),
        "from": question.start.isoformat(),
        "to": question.end.isoformat(),
        "suspect_profiles": list(question.suspect_profiles),
        "patient_ids": list(question.patient_ids),
        "factors": [{"factor": r.factor.value, "rating": r.rating.value,
                     "rationale": r.rationale} for r in question.ratings],
        "summary": question.summary,
    }


def content_hash(document: dict[str, Any]) -> str:
    """SHA-256 of the assessment's canonical JSON, without the hash itself."""
    body = {k: v for k, v in document.items() if k not in ("content_hash", "intact")}
    return hashlib.sha256(canonical_bytes(body)).hexdigest()


def _created_event(document: dict[str, Any], by: Actor) -> Event:
    # Ids, counts and dates only: no patient ids (there may be thousands) and no summary text.
    due: dict[str, Any] = {}
    for notice in document["notices"]:
        due.setdefault(notice["to"], notice["due"])
    return BREACH_ASSESSMENT_CREATED.event(
        subject=Subject("breach_assessment", document["id"]),
        org_id=document["org_id"],
        actor=by,
        data={
            "assessment_id": document["id"],
            "discovered_on": document["discovered_on"],
            "affected_count": document["affected_count"],
            "reaches_500": document["reaches_500"],
            "probability_of_compromise": document["risk"]["probability_of_compromise"],
            "notification_required": document["risk"]["notification_required"],
            "due": due,
            "media_states": [n["state"] for n in document["notices"]
                             if n["to"] == Recipient.MEDIA.value],
            "suspect_profiles": document["inputs"]["suspect_profiles"],
            "content_hash": document["content_hash"],
        },
    )


def list_breach_assessments(uow: UnitOfWork, scope: Scope, limit: int,
                            after: NewestFirstKey | None = None
                            ) -> tuple[list[dict[str, Any]], NewestFirstKey | None]:
    """A page of the assessments in scope, newest first, without their lists of affected
    patients; where the page ends if more follow."""
    with uow:
        found, last = BreachAssessmentStore(uow.session).listed(scope, limit, after)
    return [{k: v for k, v in _checked(*one).items() if k != "affected"} for one in found], last


def get_breach_assessment(uow: UnitOfWork, scope: Scope, assessment_id: str) -> dict[str, Any]:
    with uow:
        found = BreachAssessmentStore(uow.session).get(scope, assessment_id)
    if found is None:
        raise NotFoundInScope("No such breach assessment in your practice; check its id in "
                              "GET /breach-assessments.")
    return _checked(*found)


def _checked(document: dict[str, Any], stored_hash: str) -> dict[str, Any]:
    # A row changed behind the service's back no longer matches the hash it was stored with.
    return {**document, "content_hash": stored_hash,
            "intact": content_hash(document) == stored_hash}

"""The record as FHIR R4: one AuditEvent per stored event, a searchset Bundle per page.

Ids only: patients are ``Patient/<id>`` references and the event's data is reduced to its
ids and a few codes (reason, severity...), never names or clinical text. The platform's own
JSON keeps the whole envelope. R4 has no element for a browser's user agent, so it goes in an
extension on the agent whose network address it came with (``agent.policy`` holds policy
URIs and ``agent.media`` physical media: neither means a user agent).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from audit.domain.fhir_codes import PLATFORM, EventCodes, dcm, event_codes

EXTENSION = f"{PLATFORM}/StructureDefinition"
USER_AGENT = f"{EXTENSION}/user-agent"
RECORD_POSITION = f"{EXTENSION}/record-position"
RECORD_HASH = f"{EXTENSION}/record-hash"
REQUEST_ID = f"{EXTENSION}/request-id"
ENTITY_TYPE = "http://terminology.hl7.org/CodeSystem/audit-entity-type"
OBJECT_ROLE = "http://terminology.hl7.org/CodeSystem/object-role"
SOURCE_TYPE = "http://terminology.hl7.org/CodeSystem/security-source-type"
IP_ADDRESS = "2"  # AuditEvent.agent.network.type (R4 network-type codes)
APPLICATION = dcm("110150", "Application")

# The data fields that may travel in entity.detail: codes and flags, and ids ("*_id").
DETAIL_FIELDS = frozenset({"reason", "severity", "status", "account", "throttled", "purpose",
                           "kind", "role", "scope"})
_FHIR_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def audit_event(envelope: dict[str, Any], *, position: int, received_at: datetime | str,
                record_hash: str) -> dict[str, Any]:
    """The stored event ``envelope`` as an R4 AuditEvent resource."""
    data = envelope.get("data") or {}
    patients = patient_ids(envelope)
    codes: EventCodes = event_codes(envelope["type"], bool(patients))
    resource: dict[str, Any] = {
        "resourceType": "AuditEvent",
        "id": envelope["id"],
        "meta": {"lastUpdated": instant(received_at)},
        "extension": [
            {"url": RECORD_POSITION, "valueString": str(position)},
            {"url": RECORD_HASH, "valueString": record_hash},
        ],
        "type": codes.type,
        "subtype": codes.subtype,
        "action": codes.action,
        "recorded": instant(envelope["occurred_at"]),
        "outcome": codes.outcome,
        "agent": [requestor(envelope)],
        "source": source(envelope),
        "entity": entities(envelope, patients),
    }
    if envelope.get("correlation_id"):
        resource["extension"].append({"url": REQUEST_ID,
                                      "valueString": str(envelope["correlation_id"])})
    if codes.outcome != "0" and isinstance(data.get("reason"), str):
        resource["outcomeDesc"] = data["reason"]
    return resource


def requestor(envelope: dict[str, Any]) -> dict[str, Any]:
    """Who acted: the actor; for a refused sign-in the email tried; else the producing service."""
    actor, data = envelope.get("actor"), envelope.get("data") or {}
    if actor:
        agent: dict[str, Any] = {
            "type": _concept(f"{PLATFORM}/CodeSystem/actor-kind", actor["kind"]),
            "who": {"identifier": {"system": f"{PLATFORM}/sid/user", "value": actor["id"]},
                    "display": actor.get("email") or actor["id"]},
            "requestor": True,
        }
        if actor.get("email"):
            agent["altId"] = actor["email"]
        if actor.get("user_type"):
            agent["role"] = [_concept(f"{PLATFORM}/CodeSystem/user-type", actor["user_type"])]
    elif isinstance(data.get("email"), str):
        agent = {"altId": data["email"], "who": {"display": data["email"]}, "requestor": True}
        if isinstance(data.get("account"), str):
            agent["type"] = _concept(f"{PLATFORM}/CodeSystem/actor-kind", data["account"])
    else:
        agent = {"type": {"coding": [APPLICATION], "text": "Application"},
                 "who": _service(envelope["producer"]), "requestor": True}
    if isinstance(data.get("source_address"), str) and data["source_address"]:
        agent["network"] = {"address": data["source_address"], "type": IP_ADDRESS}
    if isinstance(data.get("user_agent"), str) and data["user_agent"]:
        agent["extension"] = [{"url": USER_AGENT, "valueString": data["user_agent"]}]
    return agent


def source(envelope: dict[str, Any]) -> dict[str, Any]:
    """The observer: the service that produced the event, in the practice it belongs to."""
    security = envelope["producer"] == "identity"
    found: dict[str, Any] = {
        "observer": _service(envelope["producer"]),
        "type": [{"system": SOURCE_TYPE, "code": "6" if security else "4",
                  "display": "Security Server" if security else "Application Server"}],
    }
    if envelope.get("org_id"):
        found["site"] = envelope["org_id"]
    return found


def entities(envelope: dict[str, Any], patients: list[str]) -> list[dict[str, Any]]:
    """The subject of the event, then each patient it touched (by id)."""
    subject = envelope.get("subject") or {}
    found: list[dict[str, Any]] = []
    if subject.get("type") and subject.get("type") != "patient":
        entity: dict[str, Any] = {
            "what": {"identifier": {"system": f"{PLATFORM}/sid/{subject['type']}",
                                    "value": str(subject["id"])}},
            "type": {"system": ENTITY_TYPE, "code": "2", "display": "System Object"},
            "role": ({"system": OBJECT_ROLE, "code": "6", "display": "User"}
                     if subject["type"] == "user" else
                     {"system": OBJECT_ROLE, "code": "4", "display": "Domain Resource"}),
        }
        details = _details(envelope.get("data") or {})
        if details:
            entity["detail"] = details
        found.append(entity)
    for patient_id in patients:
        found.append({
            "what": patient_reference(patient_id),
            "type": {"system": ENTITY_TYPE, "code": "1", "display": "Person"},
            "role": {"system": OBJECT_ROLE, "code": "1", "display": "Patient"},
        })
    return found


def patient_ids(envelope: dict[str, Any]) -> list[str]:
    """Every patient the event names: its patient, its subject, a search's results."""
    data, subject = envelope.get("data") or {}, envelope.get("subject") or {}
    named = [envelope.get("patient_id")]
    if subject.get("type") == "patient":
        named.append(subject.get("id"))
    if isinstance(data.get("patient_ids"), list):
        named.extend(data["patient_ids"])
    return list(dict.fromkeys(str(p) for p in named if p))


def patient_reference(patient_id: str) -> dict[str, Any]:
    if _FHIR_ID.fullmatch(patient_id):
        return {"reference": f"Patient/{patient_id}"}
    return {"type": "Patient",
            "identifier": {"system": f"{PLATFORM}/sid/patient", "value": patient_id}}


def audit_bundle(resources: Iterable[dict[str, Any]], *, self_url: str,
                 next_url: str | None, now: datetime) -> dict[str, Any]:
    """A page of AuditEvents as a searchset Bundle; ``next`` links the following page."""
    links = [{"relation": "self", "url": self_url}]
    if next_url:
        links.append({"relation": "next", "url": next_url})
    entries = []
    for resource in resources:
        entry: dict[str, Any] = {"resource": resource, "search": {"mode": "match"}}
        if _UUID.fullmatch(resource["id"]):
            entry["fullUrl"] = f"urn:uuid:{resource['id']}"
        entries.append(entry)
    return {"resourceType": "Bundle", "type": "searchset", "timestamp": instant(now),
            "link": links, "entry": entries}


def stream_marker(kind: str, position: int | None) -> dict[str, Any]:
    """A stream's heartbeat or end, as a Parameters resource: every line stays FHIR."""
    parameters: list[dict[str, Any]] = [{"name": "kind", "valueCode": kind}]
    if position is not None:
        parameters.append({"name": "position", "valueString": str(position)})
    return {"resourceType": "Parameters", "parameter": parameters}


def instant(value: datetime | str) -> str:
    """A FHIR instant: UTC, with the time zone, to the millisecond."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        raise ValueError("a FHIR instant needs a time zone")
    text = moment.astimezone(UTC).isoformat(timespec="milliseconds")
    return text.replace("+00:00", "Z")


def _service(producer: str) -> dict[str, Any]:
    return {"identifier": {"system": f"{PLATFORM}/sid/service", "value": producer},
            "display": producer}


def _concept(system: str, code: str) -> dict[str, Any]:
    return {"coding": [{"system": system, "code": code}], "text": code}


def _details(data: dict[str, Any]) -> list[dict[str, str]]:
    details = []
    for name, value in data.items():
        if not (name in DETAIL_FIELDS or name.endswith("_id")) or name == "patient_id":
            continue
        if isinstance(value, bool):
            value = "true" if value else "false"
        if isinstance(value, str | int) and str(value):
            details.append({"type": name, "valueString": str(value)})
    return details

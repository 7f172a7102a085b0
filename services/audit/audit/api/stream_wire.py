"""How the security stream is written: SSE or NDJSON, the platform's JSON or FHIR R4.

SSE: ``id:`` is the record's position, ``event:`` ``record`` or ``alert``, ``data:`` the item
(or its AuditEvent); heartbeats are comment lines with an ``id:``. NDJSON: one item a line;
heartbeats and the end are ``{"kind": ...}`` lines, or in FHIR ``Parameters`` resources, so
that every line of a FHIR stream is a FHIR resource.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from audit.domain.fhir_audit import audit_event, stream_marker

NDJSON = "application/x-ndjson"
SSE = "text/event-stream"
FHIR_NDJSON = "application/fhir+ndjson"


@dataclass(frozen=True)
class StreamWire:
    ndjson: bool
    fhir: bool
    report_base: str  # where an alert's access report is, for the platform's JSON

    @property
    def mimetype(self) -> str:
        if not self.ndjson:
            return SSE
        return FHIR_NDJSON if self.fhir else NDJSON

    def opening(self, after: int) -> str:
        if self.ndjson:
            return self._line("heartbeat", after)
        # retry: how long EventSource waits before reconnecting; id: where a resume starts.
        return f"retry: 2000\nid: {after}\n\n"

    def item(self, item: dict[str, Any]) -> str:
        text = json.dumps(self._body(item), separators=(",", ":"))
        if self.ndjson:
            return text + "\n"
        return f"id: {item['position']}\nevent: {item['kind']}\ndata: {text}\n\n"

    def heartbeat(self, position: int) -> str:
        if self.ndjson:
            return self._line("heartbeat", position)
        # The id line (no data, so no event fires) moves the consumer's Last-Event-ID past the
        # records its filters left out: a reconnect does not scan them again.
        return f": heartbeat\nid: {position}\n\n"

    def closing(self, after: int | None) -> str:
        if self.ndjson:
            return self._line("end", after)
        position = f"id: {after}\n" if after is not None else ""
        return f": the stream ends here; reconnect with Last-Event-ID\n{position}\n"

    def _body(self, item: dict[str, Any]) -> dict[str, Any]:
        if self.fhir:
            return audit_event(item["event"], position=item["position"],
                               received_at=item["received_at"], record_hash=item["hash"])
        alert = item.get("alert")
        if alert and alert.get("profile_id"):
            alert["access_report"] = self.report_base + alert["profile_id"]
        return item

    def _line(self, kind: str, position: int | None) -> str:
        body = (stream_marker(kind, position) if self.fhir
                else {"kind": kind, "position": position})
        return json.dumps(body, separators=(",", ":")) + "\n"

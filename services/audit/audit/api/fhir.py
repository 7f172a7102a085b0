"""Choosing FHIR: ``?format=fhir`` or an Accept header naming a FHIR media type."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from flask import Response, request

from audit.domain.fhir_audit import audit_bundle, audit_event

JSON = "application/json"
FHIR_JSON = "application/fhir+json"
FHIR_NDJSON = "application/fhir+ndjson"
# DSTU2's spelling, still sent by some clients.
FHIR_JSON_OLD = "application/json+fhir"


def wants_fhir(fmt: str | None, *, media_types: tuple[str, ...] = (FHIR_JSON, FHIR_JSON_OLD,
                                                                     FHIR_NDJSON)) -> bool:
    """The format asked for: ``format`` wins, else the best match of the Accept header."""
    if fmt:
        return fmt == "fhir"
    best = request.accept_mimetypes.best_match([JSON, *media_types], default=JSON)
    return best in media_types


def events_bundle(page: list[dict[str, Any]], next_cursor: str | None) -> Response:
    """A page of GET /events as a FHIR searchset Bundle, its next link carrying the cursor
    (the same address as the Link header's)."""
    resources = [audit_event(stored["event"], position=stored["seq"],
                             received_at=stored["received_at"], record_hash=stored["hash"])
                 for stored in page]
    next_url = None
    if next_cursor is not None:
        args = request.args.to_dict(flat=False)
        args["cursor"] = [next_cursor]
        next_url = f"{request.base_url}?{urlencode(args, doseq=True)}"
    bundle = audit_bundle(resources, self_url=request.url, next_url=next_url,
                          now=datetime.now(UTC))
    return Response(json.dumps(bundle, separators=(",", ":")), mimetype=FHIR_JSON,
                    headers={"Vary": "Accept"})

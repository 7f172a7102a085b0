"""GET /stream: the record and its alerts as they arrive, for a security team's SIEM.

Server-Sent Events by default, NDJSON with ``Accept: application/x-ndjson``; each record as a
FHIR R4 AuditEvent with ``?format=fhir`` or a FHIR media type in Accept (``stream_wire.py``).
Each record carries its position; a consumer that reconnects with ``Last-Event-ID`` (SSE does
this itself) or ``?after=<position>`` gets everything after it, so nothing is missed. Each API
worker polls the database, so any number of workers and replicas serve streams alike. An
open stream holds a place of its caller and a thread of its worker (``stream_holds.py``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import Response, request
from flask_smorest import Blueprint

from audit.api.callers import caller_scope
from audit.api.fhir import FHIR_JSON, FHIR_JSON_OLD, wants_fhir
from audit.api.schemas import StreamQuery
from audit.api.stream_holds import StreamHold, hold_stream
from audit.api.stream_wire import FHIR_NDJSON, NDJSON, SSE, StreamWire
from audit.bootstrap import Audit, audit
from audit.domain.scope import Scope
from audit.domain.stream import StreamFilter
from audit.service_layer.stream import next_stream_batch, stream_start
from servicekit.auth import current_principal, require_permission
from servicekit.web.errors import Unprocessable
from servicekit.web.schemas import MAX_STORED_INT

log = logging.getLogger("audit.stream")

blp = Blueprint("stream", __name__, url_prefix="/stream", description="The security stream")


@dataclass(frozen=True)
class _Plan:
    scope: Scope
    wanted: StreamFilter
    after: int | None
    seconds: float
    wire: StreamWire


@blp.route("", methods=["GET"])
@require_permission("view_audit")
@blp.arguments(StreamQuery, location="query")
@blp.response(200, description=(
    "text/event-stream (default) or application/x-ndjson. SSE: `id:` is the record's "
    "position, `event:` is `record` or `alert`, `data:` the JSON item; comment lines are "
    "heartbeats. NDJSON: one item a line, heartbeats as {\"kind\": \"heartbeat\"}. With "
    "format=fhir (or Accept: application/fhir+ndjson) each item is a FHIR R4 AuditEvent "
    "and NDJSON heartbeats are FHIR Parameters. The connection closes after max_seconds "
    "(or when the token expires): reconnect with Last-Event-ID or ?after=<position>. "
    "429 too_many_streams: the caller holds AUDIT_STREAM_PER_CALLER streams already; "
    "503 streams_busy: this instance serves all the streams it can."))
def stream(query: dict) -> Response:
    """Records and alerts of the caller's practice (vendor security: all) as they arrive."""
    app, principal = audit(), current_principal()
    cfg = app.config
    seconds = min(query["max_seconds"] or cfg.stream_max_seconds, cfg.stream_max_seconds)
    expires = principal.claims.get("exp")
    if isinstance(expires, int | float):
        seconds = max(0.0, min(seconds, expires - time.time()))
    wire = request.accept_mimetypes.best_match(
        [SSE, NDJSON, FHIR_NDJSON, FHIR_JSON, FHIR_JSON_OLD], default=SSE)
    plan = _Plan(
        scope=caller_scope(query["org_id"]),
        wanted=StreamFilter(tuple(_split(query["type"])), frozenset(_split(query["severity"]))),
        after=_resume_point(query["after"]),
        seconds=seconds,
        wire=StreamWire(
            ndjson=wire in (NDJSON, FHIR_NDJSON),
            fhir=wants_fhir(query["format"], media_types=(FHIR_NDJSON, FHIR_JSON,
                                                          FHIR_JSON_OLD)),
            report_base=request.script_root + "/reports/access?user_id="),
    )
    hold = hold_stream(principal, app)
    body = _Closing(_stream(plan, app, hold), hold.release)
    return Response(body, mimetype=plan.wire.mimetype, headers={
        "Cache-Control": "no-store", "X-Accel-Buffering": "no", "Vary": "Accept"})


def _split(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def _resume_point(after: int | None) -> int | None:
    # EventSource sends Last-Event-ID on every reconnect, with the URL it first used: the
    # header is the newer cursor, so it wins over ?after=.
    header = request.headers.get("Last-Event-ID", "").strip()
    if not header:
        return after
    # isascii: str.isdigit() also accepts digits int() cannot read, such as "²"; the length
    # check keeps int() from a number thousands of digits long.
    if not (header.isascii() and header.isdigit() and len(header) <= 19
            and int(header) <= MAX_STORED_INT):
        raise Unprocessable("Last-Event-ID must be the position of a record (a whole number); "
                            "resume with the id of the last event you received.",
                            code="bad_last_event_id")
    return int(header)


def _stream(plan: _Plan, app: Audit, hold: StreamHold) -> Generator[str, None, None]:
    cfg = app.config
    grace = timedelta(seconds=cfg.stream_gap_grace_seconds)
    deadline = time.monotonic() + plan.seconds
    next_beat = time.monotonic() + cfg.stream_heartbeat_seconds
    after = plan.after
    wire = plan.wire
    try:
        if after is None:
            after = stream_start(app.uow(), datetime.now(UTC), grace)
        yield wire.opening(after)
        while True:
            batch = next_stream_batch(app.uow(), plan.scope, plan.wanted, after,
                                      datetime.now(UTC), grace)
            for item in batch.items:
                yield wire.item(item)
            after = batch.position
            now = time.monotonic()
            if now >= deadline:
                break
            if now >= next_beat:
                yield wire.heartbeat(after)
                next_beat = now + cfg.stream_heartbeat_seconds
                if not hold.renew():
                    break  # thought dead and its place taken: end rather than exceed the limit
            if not batch.more:
                time.sleep(max(0.0, min(cfg.stream_poll_seconds, deadline - now)))
    except Exception:  # noqa: BLE001 - the status is sent already; end the stream cleanly
        log.exception("security stream stopped; the consumer will reconnect")
    finally:
        # Here when the stream ends or the server closes it (a write to a gone client failed).
        hold.release()
    yield wire.closing(after)


class _Closing:
    """The body, with a release that runs even if the server closes it before it started
    (a generator that never ran skips its own finally)."""

    def __init__(self, body: Generator[str, None, None], release: Callable[[], None]) -> None:
        self._body, self._release = body, release

    def __iter__(self) -> Iterator[str]:
        return self._body

    def close(self) -> None:
        try:
            self._body.close()
        finally:
            self._release()

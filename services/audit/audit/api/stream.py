"""GET /stream: the record and its alerts as they arrive, for a security team's SIEM.

Server-Sent Events by default, NDJSON with ``Accept: application/x-ndjson``. Each record
carries its position; a consumer that reconnects with ``Last-Event-ID`` (SSE does this
itself) or ``?after=<position>`` gets everything after it, so nothing is missed. Each API
worker polls the database, so any number of workers and replicas serve streams alike.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Response, request
from flask.views import MethodView
from flask_smorest import Blueprint

from audit.api.runtime import config, runtime
from audit.api.schemas import StreamQuery
from audit.api.scope import caller_scope
from audit.domain.stream import StreamFilter
from audit.service_layer.queries import Scope
from audit.service_layer.stream import read_stream, start_position
from servicekit.auth import current_principal, require_permission
from servicekit.web.errors import Unprocessable
from servicekit.web.schemas import MAX_STORED_INT

log = logging.getLogger("audit.stream")
NDJSON = "application/x-ndjson"
SSE = "text/event-stream"

blp = Blueprint("stream", __name__, url_prefix="/stream", description="The security stream")


@dataclass(frozen=True)
class _Plan:
    scope: Scope
    wanted: StreamFilter
    after: int | None
    seconds: float
    ndjson: bool
    report_base: str


@blp.route("")
class Stream(MethodView):
    @require_permission("view_audit")
    @blp.arguments(StreamQuery, location="query")
    @blp.response(200, description=(
        "text/event-stream (default) or application/x-ndjson. SSE: `id:` is the record's "
        "position, `event:` is `record` or `alert`, `data:` the JSON item; comment lines are "
        "heartbeats. NDJSON: one item a line, heartbeats as {\"kind\": \"heartbeat\"}. The "
        "connection closes after max_seconds (or when the token expires): reconnect with "
        "Last-Event-ID or ?after=<position>."))
    def get(self, query: dict) -> Response:
        """Records and alerts of the caller's practice (vendor security: all) as they arrive."""
        cfg = config()
        principal = current_principal()
        seconds = min(query["max_seconds"] or cfg.stream_max_seconds, cfg.stream_max_seconds)
        expires = principal.claims.get("exp")
        if isinstance(expires, int | float):
            seconds = max(0.0, min(seconds, expires - time.time()))
        plan = _Plan(
            scope=caller_scope(query["org_id"]),
            wanted=StreamFilter(tuple(_split(query["type"])), frozenset(_split(query["severity"]))),
            after=_resume_point(query["after"]),
            seconds=seconds,
            ndjson=request.accept_mimetypes.best_match([SSE, NDJSON], default=SSE) == NDJSON,
            report_base=request.script_root + "/reports/access?user_id=",
        )
        body = _stream(plan, runtime(), cfg)
        return Response(body, mimetype=NDJSON if plan.ndjson else SSE, headers={
            "Cache-Control": "no-store", "X-Accel-Buffering": "no"})


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


def _stream(plan: _Plan, rt: Any, cfg: Any) -> Iterator[str]:
    grace = timedelta(seconds=cfg.stream_gap_grace_seconds)
    deadline = time.monotonic() + plan.seconds
    next_beat = time.monotonic() + cfg.stream_heartbeat_seconds
    after = plan.after
    try:
        if after is None:
            with rt.uow() as unit:
                after = start_position(unit.session, datetime.now(UTC), grace)
        yield _opening(plan, after)
        while True:
            with rt.uow() as unit:  # a connection only while reading, never while waiting
                batch = read_stream(unit.session, plan.scope, plan.wanted, after,
                                    datetime.now(UTC), grace)
            for item in batch.items:
                yield _item(plan, item)
            after = batch.position
            now = time.monotonic()
            if now >= deadline:
                break
            if now >= next_beat:
                yield _heartbeat(plan, after)
                next_beat = now + cfg.stream_heartbeat_seconds
            if not batch.more:
                time.sleep(max(0.0, min(cfg.stream_poll_seconds, deadline - now)))
    except Exception:  # noqa: BLE001 - the status is sent already; end the stream cleanly
        log.exception("security stream stopped; the consumer will reconnect")
    yield _closing(plan, after)


def _opening(plan: _Plan, after: int) -> str:
    if plan.ndjson:
        return json.dumps({"kind": "heartbeat", "position": after}) + "\n"
    # retry: how long EventSource waits before reconnecting; id: where a resume starts.
    return f"retry: 2000\nid: {after}\n\n"


def _item(plan: _Plan, item: dict[str, Any]) -> str:
    alert = item.get("alert")
    if alert and alert.get("profile_id"):
        alert["access_report"] = plan.report_base + alert["profile_id"]
    text = json.dumps(item, separators=(",", ":"))
    if plan.ndjson:
        return text + "\n"
    return f"id: {item['position']}\nevent: {item['kind']}\ndata: {text}\n\n"


def _heartbeat(plan: _Plan, position: int) -> str:
    if plan.ndjson:
        return json.dumps({"kind": "heartbeat", "position": position}) + "\n"
    # The id line (no data, so no event fires) moves the consumer's Last-Event-ID past the
    # records its filters left out: a reconnect does not scan them again.
    return f": heartbeat\nid: {position}\n\n"


def _closing(plan: _Plan, after: int | None) -> str:
    if plan.ndjson:
        return json.dumps({"kind": "end", "position": after}) + "\n"
    position = f"id: {after}\n" if after is not None else ""
    return f": the stream ends here; reconnect with Last-Event-ID\n{position}\n"

"""Request ids and timing: the facts the access log, metrics and events share."""

import re
import time
import uuid

from flask import Flask, Response, g, request

from servicekit.context import request_id_var

REQUEST_ID_HEADER = "X-Request-ID"

# A caller's id is echoed into logs and headers, so only a short, plain token is trusted.
_ACCEPTABLE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


def accept_request_id(raw: str | None) -> str:
    """Keep the caller's request id when it is safe to echo, else make a new one."""
    if raw and _ACCEPTABLE_REQUEST_ID.fullmatch(raw):
        return raw
    return uuid.uuid4().hex


def route_label() -> str:
    """The matched URL rule ("/notes/<note_id>"), never the raw path with ids or tokens."""
    rule = request.url_rule
    return rule.rule if rule is not None else "unmatched"


def elapsed_seconds() -> float:
    started = g.get("servicekit_started")
    return time.perf_counter() - started if started is not None else 0.0


def install_request_context(app: Flask) -> None:
    """Set the request id for each request, echo it back, and reset it afterwards."""

    @app.before_request
    def _start() -> None:
        g.servicekit_started = time.perf_counter()
        g.request_id = accept_request_id(request.headers.get(REQUEST_ID_HEADER))
        g.servicekit_request_id_token = request_id_var.set(g.request_id)

    @app.after_request
    def _echo(response: Response) -> Response:
        if "request_id" in g:
            response.headers[REQUEST_ID_HEADER] = g.request_id
        return response

    @app.teardown_request
    def _reset(_exc: BaseException | None) -> None:
        token = g.pop("servicekit_request_id_token", None)
        if token is not None:
            request_id_var.reset(token)

"""Per-request context shared by the web layer, logging and event publishing."""

from contextvars import ContextVar

#: The id of the request being served (from ``X-Request-ID`` or newly made). Events
#: published while it is set carry it as their ``correlation_id``.
request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)


def current_request_id() -> str | None:
    return request_id_var.get()

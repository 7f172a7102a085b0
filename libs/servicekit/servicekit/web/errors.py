"""One JSON error shape for every service: {"error": {"code", "message", "details"}}."""

import logging
from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, jsonify
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import HTTPException, MethodNotAllowed

log = logging.getLogger("servicekit.errors")

#: A service's domain exceptions mapped to (HTTP status, error code); the message is str(exc).
ErrorTable = dict[type[Exception], tuple[int, str]]


class AppError(Exception):
    """An error meant for the caller: its message says what to do next."""

    status = 400
    code = "bad_request"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        status: int | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or type(self).code
        self.status = status or type(self).status
        self.details = details or {}

    def headers(self) -> dict[str, str]:
        return {}


class Unauthorized(AppError):
    status, code = 401, "unauthorized"

    def headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": "Bearer"}


class Forbidden(AppError):
    status, code = 403, "forbidden"


class NotFound(AppError):
    status, code = 404, "not_found"


class Conflict(AppError):
    status, code = 409, "conflict"


class Gone(AppError):
    status, code = 410, "gone"


class PayloadTooLarge(AppError):
    status, code = 413, "payload_too_large"


class UnsupportedMediaType(AppError):
    status, code = 415, "unsupported_media_type"


class Unprocessable(AppError):
    status, code = 422, "unprocessable"


class TooManyRequests(AppError):
    status, code = 429, "too_many_requests"

    def __init__(self, message: str, *, retry_after: int | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(int(self.retry_after))} if self.retry_after else {}


class ServiceUnavailable(AppError):
    status, code = 503, "service_unavailable"


def error_response(
    status: int, code: str, message: str, details: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """Build the shared error body; also used by health checks and the auth glue."""
    response = jsonify({"error": {"code": code, "message": message, "details": details or {}}})
    response.status_code = status
    response.headers.update(headers or {})
    return response


# Werkzeug's own texts speak of "the server"; these tell the caller what to do instead.
_HTTP_MESSAGES: dict[int, tuple[str, str]] = {
    400: ("bad_request", "The request could not be read; check its syntax and send it again."),
    401: ("unauthorized", "Sign in again: your access token is missing, expired or invalid."),
    403: ("forbidden", "You are not allowed to do this; ask a User Manager in your practice."),
    404: ("not_found", "Nothing lives at this address; check the URL."),
    405: ("method_not_allowed", "This address does not accept that HTTP method."),
    413: ("payload_too_large", "The request body is too large; send a smaller one."),
    415: ("unsupported_media_type", "Send the body as application/json."),
    429: ("too_many_requests", "Too many requests; wait a moment and try again."),
    503: ("service_unavailable", "The service is not available right now; try again shortly."),
}


def _handle_http_exception(err: HTTPException) -> Response:
    status = err.code or 500
    data = getattr(err, "data", None) or {}
    messages = data.get("messages")
    headers = dict(data.get("headers") or {})
    if isinstance(err, MethodNotAllowed) and err.valid_methods:
        headers["Allow"] = ", ".join(err.valid_methods)
    if status == 422 and messages is not None:
        # webargs/flask-smorest abort with the marshmallow messages by location.
        return error_response(
            422, "invalid_request",
            "Some fields are missing or invalid; correct them and send the request again.",
            {"fields": messages}, headers,
        )
    if status == 400 and messages is not None:
        return error_response(
            400, "invalid_json",
            "The request body is not valid JSON; check its syntax and send it again.",
            {"fields": messages}, headers,
        )
    if status == 500:
        return _handle_unexpected(err)
    code, message = _HTTP_MESSAGES.get(
        status, (err.name.lower().replace(" ", "_"), err.description or err.name)
    )
    # flask-smorest's abort(404, message="...") lets a view word its own message.
    return error_response(status, code, data.get("message") or message, headers=headers)


def _handle_app_error(err: AppError) -> Response:
    return error_response(err.status, err.code, err.message, err.details, err.headers())


def _is_connection_problem(err: Exception) -> bool:
    if isinstance(err, sa_exc.OperationalError | sa_exc.InterfaceError | sa_exc.TimeoutError):
        return True
    return isinstance(err, sa_exc.DBAPIError) and bool(err.connection_invalidated)


def _handle_recursion(err: RecursionError) -> Response:
    # servicekit's JSON guard refuses deep bodies before any view; should some other input
    # still nest deeper than Python recurses (a JSON string inside a field, a query), it is
    # the request that is too complex, not the service that is broken.
    log.warning("request nested too deeply to read", exc_info=err)
    return error_response(
        400, "too_deeply_nested",
        "The request nests values too deeply to be read; flatten it and send it again.",
    )


def _handle_unexpected(err: Exception) -> Response:
    if _is_connection_problem(err):
        # The DBAPI message can hold a host name or a DSN: log the class only.
        log.warning("database unreachable: %s", type(err).__name__)
        return error_response(
            503, "database_unavailable",
            "The service cannot reach its database right now; try again shortly.",
        )
    original = getattr(err, "original_exception", None)
    if isinstance(original, Exception):
        if _is_connection_problem(original):
            return _handle_unexpected(original)
        err = original
    log.error("unhandled %s", type(err).__name__, exc_info=err)
    return error_response(
        500, "internal_error",
        "Something went wrong on our side; try again, and if it keeps failing tell support "
        "the request id from the X-Request-ID header.",
    )


def _table_lookup(table: ErrorTable, err: Exception) -> tuple[int, str] | None:
    for cls in type(err).__mro__:
        if cls in table:
            return table[cls]
    return None


def _retry_after(status: int, details: dict[str, Any] | None) -> dict[str, str]:
    """A 429 from a service's table whose details say ``retry_after_seconds`` carries the
    Retry-After header too, so a domain refusal needs no Flask to tell clients when."""
    wait = (details or {}).get("retry_after_seconds")
    if status != 429 or not isinstance(wait, int | float) or isinstance(wait, bool):
        return {}
    return {"Retry-After": str(max(1, int(wait)))}


def register_error_handlers(app: Flask, table: ErrorTable | None = None) -> None:
    """Answer every error with the shared JSON shape; `table` maps domain exceptions."""
    table = dict(table or {})

    def handle_any(err: Exception) -> Response:
        if isinstance(err, AppError):
            return _handle_app_error(err)
        found = _table_lookup(table, err)
        if found is not None:
            details = getattr(err, "details", None)
            details = details if isinstance(details, dict) else None
            return error_response(found[0], found[1], str(err), details,
                                  _retry_after(found[0], details))
        if isinstance(err, HTTPException):
            return _handle_http_exception(err)
        if isinstance(err, RecursionError):
            return _handle_recursion(err)
        return _handle_unexpected(err)

    # One handler for Exception: Flask picks the most specific registered class, so
    # registering HTTPException too keeps flask-smorest's own handler from answering.
    app.register_error_handler(HTTPException, handle_any)
    app.register_error_handler(Exception, handle_any)


def error_table_by_family(root: type[Exception], statuses: Mapping[type, int]) -> ErrorTable:
    """An error table for every subclass of ``root``: each gets the status of its nearest
    ancestor in ``statuses`` and keeps its own ``code`` attribute."""
    table: ErrorTable = {}
    pending = [root]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        status = next((statuses[base] for base in cls.__mro__ if base in statuses), None)
        if status is not None:
            # A family root declares `code`; typing cannot say "an Exception class with it".
            table[cls] = (status, cls.code)  # type: ignore[attr-defined]
    return table

"""Every operation's OpenAPI entry lists the errors it can answer, each with an example.

What servicekit itself can tell about an operation it documents here, for every service:
a bearer-guarded one answers 401 and 403, one with an id in its path 404, one that reads a
body or a query 400/422, one that takes ``If-Match`` 412, one that takes ``Idempotency-Key``
its 409 and 422. What only the service knows (a 409 for a stale version, a 429 for a limit) the
view declares with ``documents_errors(409, 429)``. Every error is the shared JSON shape.
"""

from __future__ import annotations

import http
from collections.abc import Callable
from copy import deepcopy
from typing import Any, TypeVar

from apispec import BasePlugin

F = TypeVar("F", bound=Callable[..., Any])

METHODS = ("get", "put", "post", "patch", "delete")

#: An example error per status: the code a client most often meets and its message.
EXAMPLES: dict[int, tuple[str, str]] = {
    400: ("invalid_json", "The request body is not valid JSON; check its syntax and send it "
                          "again."),
    401: ("unauthorized", "Sign in again: your access token is missing, expired or invalid."),
    403: ("permission_required", "You need the view_patients permission for this; ask a User "
                                 "Manager in your practice to grant it."),
    404: ("not_found", "Nothing lives at this address; check the URL."),
    409: ("conflict", "Someone changed this record since you read it; reload it and apply your "
                      "change again."),
    410: ("gone", "This link is no longer valid; ask the sender to share it again."),
    412: ("precondition_failed", "This record changed since you read it (If-Match names an "
                                 "older ETag); read it again and send your change with its "
                                 "new ETag."),
    413: ("payload_too_large", "The request body is too large; send a smaller one."),
    415: ("unsupported_media_type", "Send the body as application/json."),
    422: ("invalid_request", "Some fields are missing or invalid; correct them and send the "
                            "request again."),
    429: ("too_many_requests", "Too many requests; wait a moment and try again."),
    503: ("service_unavailable", "The service is not available right now; try again shortly."),
}
ERROR_STATUSES = frozenset(EXAMPLES)

#: Marks a view's decorators leave in its operation (servicekit.web.idempotency,
#: servicekit.web.conditional); the plugin turns each into its request header.
HEADER_MARKS: dict[str, dict[str, Any]] = {
    "x-idempotency-key": {
        "name": "Idempotency-Key", "in": "header", "required": False,
        "schema": {"type": "string", "maxLength": 200},
        "description": "Any unique string (a UUID): the same key and body within 24 hours "
                       "get the first answer again, without doing the work twice; another "
                       "body with the key gets 422 idempotency_key_reused.",
    },
    "x-if-match": {
        "name": "If-Match", "in": "header", "required": False, "schema": {"type": "string"},
        "description": "The ETag of the record as you read it: if it changed since, 412 "
                       "precondition_failed and nothing is changed. Without it the change "
                       "is made whatever the record's state.",
    },
}


def response_name(status: int) -> str:
    """The component flask-smorest registers for ``status`` (404 -> NOT_FOUND)."""
    return http.HTTPStatus(status).name


def register_error_responses(spec: Any, error_schema: type) -> None:
    """Re-register flask-smorest's lazy error responses with the shared shape and an example,
    so an operation that names one (``NOT_FOUND``) shows what the body looks like."""
    for status, (code, message) in EXAMPLES.items():
        example = {"error": {"code": code, "message": message, "details": {}}}
        spec.components.response(response_name(status), {
            "description": http.HTTPStatus(status).phrase,
            "content": {"application/json": {"schema": error_schema, "example": example}},
        }, lazy=True)
    spec.components.response("DEFAULT_ERROR", {
        "description": "Any other error, in the same shape",
        "content": {"application/json": {"schema": error_schema, "example": {"error": {
            "code": "internal_error",
            "message": "Something went wrong on our side; try again, and if it keeps failing "
                       "tell support the request id from the X-Request-ID header.",
            "details": {}}}}},
    }, lazy=True)


def documents_errors(*statuses: int) -> Callable[[F], F]:
    """Declare the errors only the service knows an operation can give (409, 410, 429...)."""
    unknown = set(statuses) - ERROR_STATUSES
    if unknown:
        raise ValueError(f"no shared error response for {sorted(unknown)}")

    def decorator(view: F) -> F:
        apidoc = deepcopy(getattr(view, "_apidoc", {}))
        responses = apidoc.setdefault("manual_doc", {}).setdefault("responses", {})
        responses.update({str(status): response_name(status) for status in statuses})
        vars(view)["_apidoc"] = apidoc
        return view

    return decorator


def inferred_errors(operation: dict[str, Any], path_arguments: bool) -> set[int]:
    """The errors servicekit's own machinery gives this operation."""
    statuses: set[int] = set()
    if operation.get("security"):
        statuses |= {401, 403}
    if path_arguments:
        statuses.add(404)
    if "requestBody" in operation:
        statuses |= {400, 422}
    if any(p.get("in") == "query" for p in operation.get("parameters", ())
           if isinstance(p, dict)):
        statuses.add(422)
    if any(p.get("in") == "query" and p.get("name") == "cursor"
           for p in operation.get("parameters", ()) if isinstance(p, dict)):
        statuses.add(400)  # servicekit.web.pagination: a cursor this list never gave
    headers = {p.get("name", "").lower() for p in operation.get("parameters", ())
               if isinstance(p, dict) and p.get("in") == "header"}
    if "if-match" in headers:
        statuses.add(412)
    if "idempotency-key" in headers:
        statuses |= {409, 422}  # a key in flight; a key used for another request
    return statuses


class ErrorResponsesPlugin(BasePlugin):
    """Adds the inferred error responses to every operation as flask-smorest documents it."""

    def operation_helper(self, path: str | None = None,
                         operations: dict[str, Any] | None = None, **kwargs: Any) -> None:
        rule = kwargs.get("rule")
        path_arguments = bool(rule is not None and rule.arguments)
        for method, operation in (operations or {}).items():
            if method not in METHODS:
                continue
            for mark, parameter in HEADER_MARKS.items():
                if operation.pop(mark, False):
                    operation.setdefault("parameters", []).append(dict(parameter))
            responses = operation.setdefault("responses", {})
            documented = {str(code) for code in responses}
            for status in sorted(inferred_errors(operation, path_arguments)):
                if str(status) not in documented:
                    responses[str(status)] = response_name(status)

"""JSON bodies that are too large, nested too deeply or not JSON, refused before any view
(input_guard calls these for every app create_service_app builds).

Python's JSON parser recurses once per nesting level, so a body of a few thousand brackets
raises RecursionError deep inside a view (a 500) on every JSON route, public ones included.
The depth is measured here without parsing and without recursion: strings are cut out, the
brackets that remain are summed as +1/-1 in C. Only a body that passes is parsed, once, to
refuse invalid JSON with the same error on every route. Uploads are multipart, not JSON, so
their own (larger) limit is not touched.
"""

from __future__ import annotations

import json
import re
from itertools import accumulate

from flask import Flask, current_app, request
from werkzeug.exceptions import RequestEntityTooLarge

from servicekit.web.errors import AppError, PayloadTooLarge

#: Deepest nesting of arrays and objects a request body may have; no schema needs 10.
MAX_JSON_DEPTH = 32
#: Largest JSON request body, in bytes (files travel as multipart uploads, not JSON).
MAX_JSON_BYTES = 1024 * 1024

# A JSON string, escapes included; the closing quote is optional so that an unterminated
# string ends at the end of the body instead of making the scan restart at every quote.
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"?', re.DOTALL)
_NOT_BRACKETS = bytes(sorted(set(range(256)) - set(b"[]{}")))
_AS_STEPS = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")  # +1 / -1 as signed bytes


class InvalidJson(AppError):
    status, code = 400, "invalid_json"


class JsonTooDeep(AppError):
    status, code = 400, "json_too_deep"


class JsonTooLarge(PayloadTooLarge):
    code = "json_too_large"


def nesting_depth(raw: bytes) -> int:
    """How deeply arrays and objects nest in a JSON text (brackets inside strings ignored)."""
    steps = _STRING.sub(b"", raw).translate(_AS_STEPS, _NOT_BRACKETS)
    if not steps:
        return 0
    return max(0, max(accumulate(memoryview(steps).cast("b"))))


def check_json_depth(raw: bytes, max_depth: int = MAX_JSON_DEPTH) -> None:
    """Raise JsonTooDeep when arrays and objects in ``raw`` nest deeper than ``max_depth``."""
    depth = nesting_depth(raw)
    if depth > max_depth:
        raise JsonTooDeep(
            f"The JSON body nests arrays or objects {depth} levels deep; at most {max_depth} "
            "are accepted. Flatten the body and send the request again.",
            details={"max_depth": max_depth},
        )


def check_json_syntax(raw: bytes) -> None:
    """Raise InvalidJson unless ``raw`` (already depth-checked) is JSON in UTF-8."""
    try:
        json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise InvalidJson(
            "The request body is not valid JSON (UTF-8); check its syntax and send it again.",
        ) from None


def _too_large(limit: int) -> JsonTooLarge:
    return JsonTooLarge(
        f"The JSON body is larger than {limit} bytes; send less in one request "
        "(files go as multipart uploads).",
        details={"max_bytes": limit},
    )


def configure_json_limits(app: Flask) -> None:
    app.config.setdefault("SERVICEKIT_MAX_JSON_BYTES", MAX_JSON_BYTES)
    app.config.setdefault("SERVICEKIT_MAX_JSON_DEPTH", MAX_JSON_DEPTH)


def read_json_body_within_limits() -> bytes | None:
    """The raw JSON body of this request, refused when too large or nested too deeply;
    None when the request is not JSON or has an empty body (the view judges those)."""
    if not request.is_json:
        return None
    limit = current_app.config["SERVICEKIT_MAX_JSON_BYTES"]
    app_limit = request.max_content_length
    if app_limit is not None and app_limit <= limit:
        raw = request.get_data(cache=True)  # the app's stricter limit answers for itself
    else:
        if request.content_length is not None and request.content_length > limit:
            raise _too_large(limit)
        # A chunked body has no length: stop reading it at the limit instead.
        request.max_content_length = limit
        try:
            raw = request.get_data(cache=True)
        except RequestEntityTooLarge:
            raise _too_large(limit) from None
    if not raw.strip():
        return None
    check_json_depth(raw, current_app.config["SERVICEKIT_MAX_JSON_DEPTH"])
    return raw

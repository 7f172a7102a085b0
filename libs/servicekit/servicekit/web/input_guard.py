"""Refuse unreadable input before any view: JSON bodies too large, too deep or invalid
(json_guard), and NUL characters in a request's path, query, JSON or form fields.

No field of the platform has a use for U+0000, and PostgreSQL cannot store it in text: let
through, it turns a typo or a probe into a 500 deep inside a handler. Uploaded files are
not looked at (a PDF is full of zero bytes); their contents are checked by their own rules.
"""

from __future__ import annotations

import json

from flask import Flask, request

from servicekit.web.errors import AppError
from servicekit.web.json_guard import (
    check_json_syntax,
    configure_json_limits,
    read_json_body_within_limits,
)

NUL = "\x00"


class NulCharacter(AppError):
    status, code = 400, "nul_character"


class UnpairedSurrogate(AppError):
    status, code = 400, "invalid_unicode"


def _refuse_unpaired_surrogates(raw: bytes) -> None:
    """JSON may spell half of a UTF-16 pair (\\ud800) alone; no text can hold it, and
    PostgreSQL refuses it deep inside a handler (a 500)."""
    if b"\\ud" not in raw.lower():
        return
    try:
        json.dumps(json.loads(raw), ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise UnpairedSurrogate(
            "The request's body contains a \\u escape that is half of a character (an "
            "unpaired surrogate). Send the text as valid Unicode and try again.",
            details={"where": "body"}) from None
    except ValueError:
        return


def _refuse(where: str) -> None:
    raise NulCharacter(
        f"The request's {where} contains a NUL character (U+0000), which no field accepts. "
        "Remove it and send the request again.",
        details={"where": where},
    )


def install_input_guard(app: Flask) -> None:
    configure_json_limits(app)

    @app.before_request
    def _refuse_unreadable_input() -> None:
        # A JSON body's size and depth first, before anything reads or parses it; its
        # syntax last, so that a NUL gets its own, more telling answer.
        raw_json = read_json_body_within_limits()
        if NUL in request.path:
            _refuse("path")
        if any(NUL in key or NUL in value for key, value in request.args.items(multi=True)):
            _refuse("query")
        if raw_json is not None:
            # JSON spells the character as an escape; a raw zero byte is not valid JSON at all.
            if b"\x00" in raw_json or b"\\u0000" in raw_json.lower():
                _refuse("body")
            check_json_syntax(raw_json)
            _refuse_unpaired_surrogates(raw_json)
        elif request.mimetype in {"application/x-www-form-urlencoded", "multipart/form-data"}:
            if any(NUL in key or NUL in value for key, value in request.form.items(multi=True)):
                _refuse("form")
            if any(NUL in (upload.filename or "") for upload in request.files.values()):
                _refuse("file name")

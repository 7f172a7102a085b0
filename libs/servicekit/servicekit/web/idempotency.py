"""``Idempotency-Key`` on creating POSTs: a retried request gets the first answer, once.

``@idempotent`` goes under the view's authorization decorator (the caller is known, and a
refused request claims nothing) and above its ``blp.arguments``. Without the header a
request is served as before. With it, the key is claimed per caller (the token's kind and
subject, or the client's address on an anonymous route) and route
(``servicekit.idempotency``): the same key and request within 24 hours replay the first
answer (``Idempotent-Replayed: true``); another body or path gets 422
``idempotency_key_reused``; a duplicate while the first is still being answered gets 409
``idempotency_key_in_flight`` with ``Retry-After`` (it does not wait: a retry after a second
is answered from the stored answer).

An answer is stored when anything of the request committed (a 201, or a refusal recorded in
the database); an answer whose work did not commit is never stored, and the key is free for
a retry. ``@not_idempotent(reason)`` marks a creating POST that must not take a key (its
answer holds a secret that must not be kept), and says why in its OpenAPI entry.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from copy import deepcopy
from datetime import UTC, datetime
from typing import Any, TypeVar, cast

from flask import Response, current_app, g, request

from servicekit import db
from servicekit.idempotency import (
    REPLAYED_HEADERS,
    Answer,
    AnswerLost,
    Claimed,
    ClaimTakenOver,
    IdempotencyKeys,
    InFlight,
    Replay,
    Reused,
)
from servicekit.web.errors import Conflict, Unprocessable

F = TypeVar("F", bound=Callable[..., Any])

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
EXTENSION = "servicekit.idempotency"
#: In an operation's OpenAPI entry: ``x-idempotency-key`` (servicekit's plugin turns it into
#: the header parameter) or ``x-idempotency-excluded`` with the reason.
TAKES_KEY, EXCLUDED = "x-idempotency-key", "x-idempotency-excluded"
MAX_KEY = 200
RETRY_AFTER = 1

REUSED = ("This Idempotency-Key was already used for another request (another body or "
          "address); send a new key with a new request.")
IN_FLIGHT = ("The first request with this Idempotency-Key is still being answered; send it "
             "again in a moment to get its answer.")
ANSWER_LOST = ("The request with this Idempotency-Key was carried out, but its answer was not "
               "kept; look the result up (list it), and send a new key with a new request.")
BAD_KEY = f"Idempotency-Key must be 1 to {MAX_KEY} printable ASCII characters (a UUID is ideal)."


class KeyInFlight(Conflict):
    def __init__(self) -> None:
        super().__init__(IN_FLIGHT, code="idempotency_key_in_flight")

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(RETRY_AFTER)}


def idempotent(view: F) -> F:
    """Serve a creating POST once per ``Idempotency-Key`` (see the module)."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        key = request.headers.get(HEADER)
        if key is None:
            return view(*args, **kwargs)
        if not 0 < len(key) <= MAX_KEY or not key.isascii() or not key.isprintable():
            raise Unprocessable(BAD_KEY, code="invalid_idempotency_key")
        keys: IdempotencyKeys | None = current_app.extensions.get(EXTENSION)
        if keys is None:
            raise RuntimeError("@idempotent needs the service's idempotency_keys table: give "
                               "its ServiceSpec idempotency_keys")
        outcome = keys.claim(_scope(), key, _fingerprint(), datetime.now(UTC))
        if isinstance(outcome, Claimed):
            return _serve_once(keys, outcome, functools.partial(view, *args, **kwargs))
        return _refuse_or_replay(outcome)

    return cast(F, _documented(wrapper, {TAKES_KEY: True}))


def not_idempotent(reason: str) -> Callable[[F], F]:
    """A creating POST that takes no key, and why (stated in its OpenAPI entry)."""

    def decorator(view: F) -> F:
        return _documented(view, {EXCLUDED: reason})

    return decorator


def _documented(view: F, doc: dict[str, Any]) -> F:
    apidoc = deepcopy(getattr(view, "_apidoc", {}))
    apidoc.setdefault("manual_doc", {}).update(doc)
    vars(view)["_apidoc"] = apidoc
    return view


def _scope() -> str:
    """Whose key, for which route: a caller never sees another's answers."""
    principal = g.get("principal")
    caller = (f"{principal.kind}:{principal.user_id}" if principal is not None
              else f"source:{request.remote_addr}")
    return hashlib.sha256(f"{caller}\n{request.endpoint}".encode()).hexdigest()


def _fingerprint() -> str:
    """The request as sent: method, path and query, and its body (JSON in any key order;
    a form's fields and files whatever the multipart boundary)."""
    digest = hashlib.sha256(f"{request.method} {request.full_path}\n".encode())
    if request.is_json:
        parsed = request.get_json(silent=True)
        digest.update(json.dumps(parsed, sort_keys=True).encode() if parsed is not None
                      else request.get_data())
    elif request.mimetype == "multipart/form-data":
        for name, value in sorted(request.form.items(multi=True)):
            digest.update(f"field {name}={value}\n".encode())
        for name, upload in sorted(request.files.items(multi=True), key=lambda f: f[0]):
            content = upload.stream.read()
            upload.stream.seek(0)
            digest.update(f"file {name} {upload.filename}\n".encode())
            digest.update(hashlib.sha256(content).digest())
    else:
        digest.update(request.get_data())
    return digest.hexdigest()


def _serve_once(keys: IdempotencyKeys, held: Claimed, view: Callable[[], Any]) -> Response:
    committed = False

    def mark(session: Any) -> None:
        nonlocal committed
        keys.mark_committed(session, held, datetime.now(UTC))
        committed = True

    token = db.before_commit.set((*db.before_commit.get(), mark))
    try:
        response = current_app.make_response(view())
    except ClaimTakenOver:
        response = current_app.make_response(current_app.handle_user_exception(KeyInFlight()))
    except Exception as err:
        if not committed:
            keys.release(held)
        # Answered in the shared shape, as the app would (unhandled: raised again).
        response = current_app.make_response(current_app.handle_user_exception(err))
    finally:
        db.before_commit.reset(token)
    if committed or 200 <= response.status_code < 300:
        keys.answer(held, Answer(response.status_code, _kept_headers(response),
                                 response.get_data()))
    else:
        keys.release(held)
    return response


def _kept_headers(response: Response) -> dict[str, str]:
    return {name: response.headers[name] for name in REPLAYED_HEADERS if name in response.headers}


def _refuse_or_replay(outcome: object) -> Response:
    if isinstance(outcome, Replay):
        answer = outcome.answer
        response = Response(answer.body, status=answer.status, headers=answer.headers)
        response.headers[REPLAYED] = "true"
        return response
    if isinstance(outcome, Reused):
        raise Unprocessable(REUSED, code="idempotency_key_reused")
    if isinstance(outcome, AnswerLost):
        raise Conflict(ANSWER_LOST, code="idempotency_key_answer_lost")
    assert isinstance(outcome, InFlight)
    raise KeyInFlight()

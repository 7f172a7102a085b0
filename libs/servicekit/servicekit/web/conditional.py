"""ETag and If-Match on editable records: a change made on a stale read is refused.

A record's ETag comes from one reader per kind of record, ``reader(**view_kwargs)``, which
answers the record's current ETag (``None`` when the caller cannot see it): a version
(``version_etag``) where the record keeps one, else a strong hash of what it holds
(``etag_of``). Its GET (``@etagged(reader)``) and every PATCH/PUT that edits it
(``@if_match(reader)``) answer that ETag, so a client sends back what it read.

A PATCH/PUT with ``If-Match`` naming none of the record's current ETags is refused with 412
``precondition_failed`` before anything changes; without ``If-Match`` it is made whatever the
record's state (last write wins, as before). On PostgreSQL, conditional changes of one record
take turns (an advisory lock from the check to the commit), so two clients that read the same
ETag cannot both pass; on SQLite (the local default) the check and the change are two steps.
The decorators go under the view's authorization decorator, so the reader knows the caller.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from copy import deepcopy
from typing import Any, TypeVar, cast

from flask import Response, current_app, g, request
from sqlalchemy import text

from servicekit.web.errors import AppError

F = TypeVar("F", bound=Callable[..., Any])
#: The record's current ETag, from the view's path arguments; None if the caller cannot see it.
EtagReader = Callable[..., str | None]

IF_MATCH_MARK = "x-if-match"
STALE = ("This record changed since you read it (If-Match names an older ETag); read it "
         "again and send your change with its new ETag.")


class PreconditionFailed(AppError):
    status, code = 412, "precondition_failed"


def etag_of(representation: Any) -> str:
    """A strong ETag of a record's JSON-able contents."""
    canonical = json.dumps(representation, sort_keys=True, default=str, separators=(",", ":"))
    return '"' + hashlib.sha256(canonical.encode()).hexdigest()[:32] + '"'


def version_etag(version: int) -> str:
    return f'"v{version}"'


def etagged(reader: EtagReader) -> Callable[[F], F]:
    """A GET that answers the record's ETag."""

    def decorator(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            response = current_app.make_response(view(*args, **kwargs))
            return _with_etag(response, reader, kwargs)

        return cast(F, wrapper)

    return decorator


def if_match(reader: EtagReader) -> Callable[[F], F]:
    """A PATCH/PUT that honours If-Match (412 when stale) and answers the new ETag."""

    def decorator(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            wanted = _if_match()
            if wanted is None:
                return _with_etag(current_app.make_response(view(*args, **kwargs)), reader,
                                  kwargs)
            with _turn_of(reader, kwargs):
                current = reader(**kwargs)
                if current is not None and "*" not in wanted and current not in wanted:
                    raise PreconditionFailed(STALE, details={"etag": current})
                response = current_app.make_response(view(*args, **kwargs))
            return _with_etag(response, reader, kwargs)

        apidoc = deepcopy(getattr(wrapper, "_apidoc", {}))
        apidoc.setdefault("manual_doc", {})[IF_MATCH_MARK] = True
        vars(wrapper)["_apidoc"] = apidoc
        return cast(F, wrapper)

    return decorator


def _if_match() -> set[str] | None:
    header = request.headers.get("If-Match")
    if header is None:
        return None
    # A weak validator never matches for a change (RFC 9110 13.1.1): compare strong ones only.
    return {tag.strip() for tag in header.split(",") if not tag.strip().startswith("W/")}


def _with_etag(response: Response, reader: EtagReader, kwargs: dict[str, Any]) -> Response:
    if 200 <= response.status_code < 300:
        etag = reader(**kwargs)
        if etag is not None:
            response.headers["ETag"] = etag
    return response


@contextmanager
def _turn_of(reader: EtagReader, kwargs: dict[str, Any]) -> Iterator[None]:
    """Conditional changes of one record, one at a time (PostgreSQL)."""
    runtime = current_app.extensions.get("servicekit.runtime")
    engine = runtime.engine if runtime is not None else None
    if engine is None or engine.dialect.name != "postgresql":
        yield
        return
    principal = g.get("principal")
    name = (f"{reader.__module__}.{reader.__qualname__}|{getattr(principal, 'org_id', None)}|"
            f"{sorted(kwargs.items())}")
    lock = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
    with engine.connect() as conn:
        conn.execute(text("SELECT pg_advisory_lock(:lock)"), {"lock": lock})
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:lock)"), {"lock": lock})
            conn.commit()

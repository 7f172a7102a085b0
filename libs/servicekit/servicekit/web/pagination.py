"""One way to page every list: ``limit`` and an opaque ``cursor`` in the query, the next page's
address in a ``Link: <...>; rel="next"`` header (and in ``next_cursor`` where the list's body
is an object), no Link on the last page.

A cursor holds the list's position (the key of the last row shown, or its offset) and a digest
binding it to the list's path and filters, so a cursor that was edited, truncated, or taken
from another list or other filters is refused with 400 ``invalid_cursor`` instead of giving a
wrong page. It is not a secret: a position only moves the caller within a query that is scoped
to what they may see anyway, whatever the cursor says.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeGuard, TypeVar
from urllib.parse import urlencode

from flask import Response, after_this_request, request
from marshmallow import Schema, fields, validate

from servicekit.web.errors import AppError

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])

#: The query parameters of paging itself; every other parameter is a filter the cursor keeps.
PAGING_PARAMETERS = frozenset({"cursor", "limit", "page", "page_size"})
MAX_CURSOR_LENGTH = 1000
# An offset cursor's page and size stay where a row offset fits any database's integer.
MAX_PAGE, MAX_PAGE_SIZE = 1_000_000, 1000
_DIGEST_LENGTH = 16

Position = list[str | int | None]


class InvalidCursor(AppError):
    status, code = 400, "invalid_cursor"

    def __init__(self) -> None:
        super().__init__(
            "This cursor is not one this list gave with these filters; start again from the "
            "first page (without cursor) and follow the Link header's next address.",
            details={"field": "cursor"})


def page_arguments(*, max_limit: int, default_limit: int | None = None,
                   base: type[Schema] = Schema) -> type[Schema]:
    """The list's query schema: its own filters (``base``), ``limit`` up to the route's
    maximum (the default is the maximum unless given) and ``cursor``."""
    limit = fields.Int(load_default=default_limit or max_limit,
                       validate=validate.Range(min=1, max=max_limit),
                       metadata={"description": f"Rows per page, at most {max_limit}"})
    cursor = fields.Str(load_default=None, metadata={
        "description": "Where the page starts: the cursor of the previous page's Link "
                       "rel=\"next\" address (or its next_cursor); leave out for the first "
                       "page. A cursor from another list or other filters is refused (400)"})
    return type(f"{base.__name__}Page", (base,), {"limit": limit, "cursor": cursor})


def paged(blueprint: Any, *, max_limit: int, key: str = "id") -> Callable[[F], F]:
    """Page a view that returns its whole list (a JSON array): it takes ``limit`` and
    ``cursor`` and answers one page of the same array, the next in the Link header."""
    schema = page_arguments(max_limit=max_limit)

    def decorator(view: F) -> F:
        @functools.wraps(view)
        def one_page(paging: dict[str, Any], *args: Any, **kwargs: Any) -> list[Any]:
            rows = view(*args, **kwargs)
            shown, _ = page_of(rows, cursor=paging["cursor"], limit=paging["limit"],
                               key=lambda row: _field(row, key))
            return shown

        paged_view: F = blueprint.arguments(schema, location="query")(one_page)
        return paged_view

    return decorator


def read_cursor(cursor: str | None) -> Position | None:
    """The position a cursor of this list (this path, these filters) holds; None for none."""
    if cursor is None:
        return None
    if len(cursor) > MAX_CURSOR_LENGTH:
        raise InvalidCursor()
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        position, digest = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, TypeError, UnicodeError, binascii.Error):
        raise InvalidCursor() from None
    if not _is_position(position) or digest != _digest(position):
        raise InvalidCursor()
    return position


def next_page(position: Position | None) -> str | None:
    """The cursor of the page after this one, also sent as the Link header; None (and no
    Link) on the last page."""
    if position is None:
        return None
    cursor = base64.urlsafe_b64encode(
        json.dumps([position, _digest(position)], separators=(",", ":")).encode()
    ).decode().rstrip("=")
    link = f'<{_address_with(cursor)}>; rel="next"'

    @after_this_request
    def _link(response: Response) -> Response:
        response.headers["Link"] = link
        return response

    return cursor


def page_of(rows: Sequence[T], *, cursor: str | None, limit: int,
            key: Callable[[T], str]) -> tuple[list[T], str | None]:
    """A page of a list held whole (a practice's clinics, a patient's transactions), in its
    own order: after the cursor's row (found by ``key``; by its place if that row is gone)."""
    start = _start(rows, read_cursor(cursor), key)
    shown = list(rows[start:start + limit])
    end = start + len(shown)
    following: Position | None = [end, key(shown[-1])] if shown and end < len(rows) else None
    return shown, next_page(following)


def offset_page(cursor: str | None, page: int, page_size: int) -> tuple[int, int]:
    """(page, page_size) of a list paged by offset in its database: the cursor's, else the
    query's. A cursor keeps the page size it was given with."""
    position = read_cursor(cursor)
    if position is None:
        return page, page_size
    match position:
        case [int() as page, int() as page_size] if (
                1 <= page <= MAX_PAGE and 1 <= page_size <= MAX_PAGE_SIZE):
            return page, page_size
    raise InvalidCursor()


def keyset_cursor(cursor: str | None) -> str | None:
    """The list's own keyset position (a repository's cursor) inside this list's cursor."""
    position = read_cursor(cursor)
    if position is None:
        return None
    if len(position) != 1 or not isinstance(position[0], str):
        raise InvalidCursor()
    return position[0]


def next_keyset_page(position: str | None) -> str | None:
    """The cursor (and Link) of the page after the one a repository ended at ``position``."""
    return next_page([position] if position is not None else None)


def next_offset_page(page: int, page_size: int, total: int) -> str | None:
    """The cursor (and Link) of the page after ``page``, if the list goes on."""
    return next_page([page + 1, page_size] if page * page_size < total else None)


def _start(rows: Sequence[T], position: Position | None, key: Callable[[T], str]) -> int:
    if position is None:
        return 0
    if len(position) != 2:
        raise InvalidCursor()
    offset, last = position
    if not isinstance(offset, int) or offset < 0:
        raise InvalidCursor()
    if 0 < offset <= len(rows) and key(rows[offset - 1]) == last:
        return offset
    # Rows came or went since the last page: continue after the last row shown.
    for index, row in enumerate(rows):
        if key(row) == last:
            return index + 1
    return min(offset, len(rows))


def _field(row: Any, name: str) -> str:
    value: str = row[name] if isinstance(row, Mapping) else getattr(row, name)
    return value


def _address_with(cursor: str) -> str:
    """This list's address as the caller sees it (the gateway's host and prefix, from the
    forwarded headers) with the same filters and limit and the next cursor."""
    kept = [(name, value) for name, value in request.args.items(multi=True)
            if name not in ("cursor", "page")]
    return f"{request.base_url}?{urlencode([*kept, ('cursor', cursor)])}"


def _digest(position: Position) -> str:
    filters = sorted((name, value) for name, value in request.args.items(multi=True)
                     if name not in PAGING_PARAMETERS)
    scope = json.dumps([request.path, filters, position], separators=(",", ":"))
    return hashlib.sha256(scope.encode()).hexdigest()[:_DIGEST_LENGTH]


def _is_position(value: Any) -> TypeGuard[Position]:
    return isinstance(value, list) and 0 < len(value) <= 8 and all(
        v is None or (isinstance(v, str | int) and not isinstance(v, bool)) for v in value)

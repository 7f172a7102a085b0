"""audit's lists on servicekit's cursors (``limit``, an opaque ``cursor``, the next page in
the Link header and ``next_cursor``): what a cursor holds for each kind of list.

Alerts and breach assessments page newest first by the time and id of the last row shown,
alert deliveries newest first by the id of the last one shown;
the record (GET /events) by its arrival position, which clients may still send as the bare
number the old ``next_cursor`` was (or a stream id).
"""

from __future__ import annotations

from datetime import UTC, datetime

from audit.domain.pages import NewestFirstKey
from servicekit.web.pagination import InvalidCursor, next_page, read_cursor
from servicekit.web.schemas import MAX_STORED_INT


def newest_first_key(cursor: str | None) -> NewestFirstKey | None:
    """The last row of the previous page of a newest-first list, from its cursor."""
    position = read_cursor(cursor)
    if position is None:
        return None
    match position:
        case [str() as at, str() as row_id]:
            pass
        case _:
            raise InvalidCursor()
    try:
        moment = datetime.fromisoformat(at)
        if moment.tzinfo is None:
            raise ValueError(at)
        return NewestFirstKey(moment.astimezone(UTC), row_id)
    except (ValueError, OverflowError):
        raise InvalidCursor() from None


def next_newest_first(last: NewestFirstKey | None) -> str | None:
    """The cursor (and Link) of the page after the one ending at ``last``."""
    return next_page([last.at.isoformat(), last.id] if last is not None else None)


def newest_id_key(cursor: str | None) -> int | None:
    """The id of the last row of the previous page of a list newest first by its id (the
    alert deliveries), from its cursor."""
    position = read_cursor(cursor)
    if position is None:
        return None
    match position:
        case [int() as row_id] if not isinstance(row_id, bool) and 0 < row_id <= MAX_STORED_INT:
            return row_id
    raise InvalidCursor()


def next_newest_id(last_id: int | None) -> str | None:
    """The cursor (and Link) of the page after the one ending at id ``last_id``."""
    return next_page([last_id] if last_id is not None else None)


def record_position(cursor: str | None) -> int | None:
    """The arrival position after which a page of the record starts: a cursor of this list,
    or a bare position (the old next_cursor, a stream id) from 0 to 2^63-1."""
    if cursor is None:
        return None
    if cursor.isascii() and cursor.isdigit() and len(cursor) <= 19:
        return _position(cursor)
    position = read_cursor(cursor)
    if position is None or len(position) != 1 or not isinstance(position[0], int):
        raise InvalidCursor()
    return _position(str(position[0]))


def next_record_page(seq: int | None) -> str | None:
    """The cursor (and Link) of the page of the record after position ``seq``."""
    return next_page([seq] if seq is not None else None)


def _position(digits: str) -> int:
    value = int(digits)
    if not 0 <= value <= MAX_STORED_INT:
        raise InvalidCursor()
    return value

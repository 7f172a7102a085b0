"""notes' lists paged by offset in the database, with servicekit's cursors and Link header:
``page``/``page_size`` keep working, ``limit``/``cursor`` page the way every list does."""

from __future__ import annotations

from typing import Any

from servicekit.web.pagination import next_offset_page, offset_page


def requested_page(args: dict[str, Any]) -> tuple[int, int]:
    """(page, page_size) the query asks for: its cursor's, else page and limit (or page_size)."""
    return offset_page(args["cursor"], args["page"], args["limit"] or args["page_size"])


def page_body(items: list[Any], page: int, page_size: int, total: int) -> dict[str, Any]:
    """The page's answer; the next page's cursor in next_cursor and the Link header."""
    return {"items": items, "page": page, "page_size": page_size, "total": total,
            "next_cursor": next_offset_page(page, page_size, total)}

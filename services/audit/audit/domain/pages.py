"""Where a page of a newest-first list ends: the time and id of its last row."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple


class NewestFirstKey(NamedTuple):
    """The last row shown of a list ordered by time, newest first, then by id."""

    at: datetime
    id: str

"""A place of its caller for each open security stream, or the refusal to open one."""

from __future__ import annotations

from datetime import datetime

from audit.adapters import stream_places
from audit.adapters.stream_places import StreamPlace
from audit.domain.stream_limits import StreamAllowance
from audit.service_layer.errors import TooManyStreams
from servicekit.db import UnitOfWork

__all__ = ["StreamPlace", "hold_place", "release_place", "renew_place"]


def hold_place(uow: UnitOfWork, caller: str, allowance: StreamAllowance, now: datetime
               ) -> StreamPlace:
    """A free place of the caller (or one a dead process left); refused when all are held."""
    with uow:
        place = stream_places.take_stream_place(uow.session, caller, allowance, now)
        uow.commit()
    if place is None:
        wait = max(1, round(allowance.freed_within.total_seconds()))
        raise TooManyStreams(
            f"You already have {allowance.per_caller} audit streams open, the most one caller "
            f"may hold. Close one of them and reconnect (a closed stream frees its place "
            f"within {wait} seconds), or read GET /events instead.",
            {"limit": allowance.per_caller, "retry_after_seconds": wait})
    return place


def renew_place(uow: UnitOfWork, place: StreamPlace, now: datetime) -> bool:
    """Mark the stream alive; False when its place was taken over (it was thought dead)."""
    with uow:
        alive = stream_places.renew_stream_place(uow.session, place, now)
        uow.commit()
    return alive


def release_place(uow: UnitOfWork, place: StreamPlace) -> None:
    with uow:
        stream_places.free_stream_place(uow.session, place)
        uow.commit()

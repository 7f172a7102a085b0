"""Each editable record's ETag (servicekit.web.conditional): a hash of what the caller may
read of it, so a change made on a stale read is refused with 412.

A reader answers None when the caller may not read the record (another practice's id, a
staff member who is not an Admin): no ETag then, and the change itself gives its refusal.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from identity.api.bodies import clinic_body, practitioner_body, user_body
from identity.api.callers import caller
from identity.bootstrap import identity
from identity.domain.errors import IdentityError
from identity.domain.practice_settings import SettingsArea
from identity.service_layer import record_states
from identity.service_layer.notifications import my_notifications
from identity.service_layer.practice_settings import practice_settings
from identity.service_layer.recognized_domains import recognized_domains
from servicekit.auth import current_principal
from servicekit.web.conditional import EtagReader, etag_of


def _etag(read: Callable[[], Any]) -> str | None:
    if not current_principal().org_id:
        return None
    try:
        return etag_of(read())
    except IdentityError:  # not the caller's to read: no ETag, and no hint of one
        return None


def user_etag(user_id: str) -> str | None:
    ident = identity()
    return _etag(lambda: user_body(record_states.user_state(
        ident.uow(), caller(), user_id, ident.catalog, ident.now())))


def clinic_etag(clinic_id: str) -> str | None:
    ident = identity()
    return _etag(lambda: clinic_body(record_states.clinic_state(
        ident.uow(), caller(), clinic_id, ident.now())))


def practitioner_etag(practitioner_id: UUID) -> str | None:
    ident = identity()
    return _etag(lambda: practitioner_body(record_states.practitioner_state(
        ident.uow(), caller(), str(practitioner_id), ident.catalog, ident.now())))


def billing_integration_etag() -> str | None:
    ident = identity()
    return _etag(lambda: record_states.billing_integration_state(
        ident.uow(), caller(), ident.catalog, ident.now()))


def recognized_domains_etag() -> str | None:
    ident = identity()
    return _etag(lambda: {"domains": recognized_domains(ident.uow(), caller(), ident.now())})


def my_notifications_etag() -> str | None:
    ident = identity()
    return _etag(lambda: my_notifications(ident.uow(), caller(), ident.catalog))


def settings_etag(area: SettingsArea) -> EtagReader:
    """The reader of one Admin-only settings area."""

    def reader() -> str | None:
        ident = identity()
        return _etag(lambda: practice_settings(ident.uow(), caller(), area,
                                               catalog=ident.catalog, now=ident.now()))

    # Conditional changes take turns per reader name: one name per area.
    reader.__qualname__ = f"settings_etag.{area.value}"
    return reader

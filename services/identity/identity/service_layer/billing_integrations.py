"""A User Manager sets the practice's billing integration and its providers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from identity.adapters.repository import IdentityRepository
from identity.domain.billing_integrations import change_billing_integration
from identity.domain.catalog import UserTypeCatalog
from identity.domain.practices import BillingIntegration
from identity.events.practices import PRACTICE_BILLING_INTEGRATION_CHANGED
from identity.service_layer.callers import Caller, event_actor, load_actor
from servicekit.db import UnitOfWork
from servicekit.messaging.envelope import Subject


def set_billing_integration(
    uow: UnitOfWork, caller: Caller, *, billing_integration: str | None,
    provider_ids: list[str], catalog: UserTypeCatalog, now: datetime,
) -> BillingIntegration | None:
    """Store the integration and tell the other services (notes decides billing exports
    from it); returns what is set now."""
    with uow:
        repo = IdentityRepository(uow.session)
        actor = load_actor(repo, caller, now)
        practice = repo.practice(caller.org_id)
        changed = change_billing_integration(
            actor, practice, billing_integration, provider_ids,
            people=repo.users_of(caller.org_id), catalog=catalog, now=now)
        repo.save_billing_integration(practice.id, changed)
        uow.publish(PRACTICE_BILLING_INTEGRATION_CHANGED.event(
            subject=Subject("practice", practice.id), org_id=practice.id,
            actor=event_actor(actor.user), data={
                # The shape the notes projection keeps: {name, provider_ids} or null.
                "billing_integration": integration_facts(changed),
                "billing_provider_ids": sorted(changed.provider_user_ids) if changed else [],
                "before": {"billing_integration": integration_facts(
                    practice.billing_integration)},
            }))
        uow.commit()
    return changed


def integration_facts(integration: BillingIntegration | None) -> dict[str, Any] | None:
    if integration is None:
        return None
    return {"name": integration.name, "provider_ids": sorted(integration.provider_user_ids)}

"""The practice's billing integration: which billing system, and who is a provider in it.

An assistant who finalizes notes must be a provider there, or the notes do not reach
billing (profile_rules.billing_provider_notice warns when finish_notes is granted).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from identity.domain import profile_rules as rules
from identity.domain.catalog import UserTypeCatalog
from identity.domain.errors import InvalidRequest
from identity.domain.practices import BillingIntegration, Practice
from identity.domain.users import Actor, User, UserKind

MOST_NAME_CHARACTERS = 100


def change_billing_integration(
    actor: Actor, practice: Practice, name: str | None, provider_ids: Iterable[str], *,
    people: Iterable[User], catalog: UserTypeCatalog, now: datetime,
) -> BillingIntegration | None:
    """As a User Manager, link the practice to a billing system (None: to none) and list its
    providers, who must be staff of the practice."""
    rules.require_may_act(actor, practice.id, now)
    rules.require_user_manager(actor, catalog)
    providers = frozenset(provider_ids)
    cleaned = " ".join((name or "").split())
    if not cleaned:
        if providers:
            raise InvalidRequest(
                "Providers belong to a billing integration. Name the billing system, or "
                "leave provider_ids empty to remove the integration.",
                {"field": "provider_ids"})
        return None
    if len(cleaned) > MOST_NAME_CHARACTERS:
        raise InvalidRequest(
            f"Give the billing system's name in at most {MOST_NAME_CHARACTERS} characters.",
            {"field": "billing_integration"})
    staff = {p.id for p in people if p.practice_id == practice.id and p.kind is UserKind.STAFF}
    unknown = sorted(providers - staff)
    if unknown:
        raise InvalidRequest(
            "Providers must be staff of your practice. Pick them from your users.",
            {"unknown_users": unknown})
    return BillingIntegration(cleaned, providers)

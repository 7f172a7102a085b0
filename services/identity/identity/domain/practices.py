"""A practice as the identity rules see it: seats, recognized domains, billing link."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class BillingIntegration:
    """The practice's billing system and which users are providers (paid licences) in it."""

    name: str
    provider_user_ids: frozenset[str] = frozenset()

    def lists_provider(self, user_id: str) -> bool:
        return user_id in self.provider_user_ids


@dataclass(frozen=True)
class Practice:
    id: str
    name: str
    licensed_seats: int
    recognized_domains: frozenset[str] = frozenset()
    billing_integration: BillingIntegration | None = None

    def recognizes_domain(self, email: str) -> bool:
        return email.rpartition("@")[2].lower() in {d.lower() for d in self.recognized_domains}

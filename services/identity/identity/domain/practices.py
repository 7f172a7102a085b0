"""A practice as the identity rules see it: model, seats, recognized domains, billing link.

The model (therapy or dental) is chosen when the practice is created and decides which
vocabulary its invitations and users follow: the catalog's therapy or dental user types.
"""

from __future__ import annotations

from dataclasses import dataclass

from identity.domain.catalog import PRACTICE_MODELS, THERAPY
from identity.domain.errors import InvalidRequest


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
    model: str = THERAPY

    @property
    def integrated(self) -> bool:
        """Linked to an outside system (the seed's "integrated clients")."""
        return self.billing_integration is not None

    def recognizes_domain(self, email: str) -> bool:
        return email.rpartition("@")[2].lower() in {d.lower() for d in self.recognized_domains}


def practice_model(value: str | None) -> str:
    """The model a new practice follows: therapy unless dental is asked for."""
    model = (value or THERAPY).strip().lower()
    if model not in PRACTICE_MODELS:
        raise InvalidRequest(
            f"A practice follows the therapy or the dental model, not {value!r}.",
            {"field": "model", "allowed": sorted(PRACTICE_MODELS)})
    return model

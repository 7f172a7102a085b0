"""Whether a finalized note's charges flow to the practice's billing system."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from notes.domain.users import PracticeUser


@dataclass(frozen=True)
class BillingIntegration:
    """The practice's billing system and the users who are providers (paid licences) in it."""

    name: str
    provider_ids: frozenset[str]


class BillingExportStatus(StrEnum):
    PENDING = "pending"  # goes to the billing system with the finalizer as provider
    NOT_EXPORTED = "not_exported"  # the finalizer is not a provider there
    NO_INTEGRATION = "no_integration"  # the practice bills without an integration


@dataclass(frozen=True)
class BillingExport:
    status: BillingExportStatus
    provider_id: str | None = None
    reason: str | None = None

    @property
    def exported(self) -> bool:
        return self.status is BillingExportStatus.PENDING


def decide_billing_export(
    finalizer: PracticeUser, integration: BillingIntegration | None
) -> BillingExport:
    """The billing system only accepts notes signed by one of its providers."""
    if integration is None:
        return BillingExport(BillingExportStatus.NO_INTEGRATION)
    if finalizer.id in integration.provider_ids:
        return BillingExport(BillingExportStatus.PENDING, provider_id=finalizer.id)
    return BillingExport(
        BillingExportStatus.NOT_EXPORTED,
        reason=(
            f"{finalizer.full_name} is not a provider in {integration.name}, so this note's "
            f"charges were not sent there. Add {finalizer.full_name} as a provider in "
            f"{integration.name} and enter the charges there, or have a provider finalize "
            "future notes."
        ),
    )

"""Whether a finalized note's charges flow to the practice's billing system, and when.

Where the practice has a billing integration, each finalized note is exported to it once.
The billing system accepts notes signed by its providers (paid licences) only, so a note
finalized by someone who is not a provider there is **held**: billing staff see it listed
with the reason, and it is sent as soon as identity announces the finalizer as a provider.
A send that fails is tried again after 1, 2, 4 ... seconds (at most ``MAX_RETRY_DELAY``) and
given up as **failed** after ``max_attempts``; operators list and retry the failed ones.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from notes.domain.users import PracticeUser, UserCategory

FIRST_RETRY_DELAY = timedelta(seconds=1)
MAX_RETRY_DELAY = timedelta(minutes=5)
BILLING_USER_TYPE = "Billing"
MANAGE_USERS = "manage_users"
VIEW_PATIENTS = "view_patients"


@dataclass(frozen=True)
class BillingIntegration:
    """The practice's billing system and the users who are providers (paid licences) in it."""

    name: str
    provider_ids: frozenset[str]


class BillingExportStatus(StrEnum):
    PENDING = "pending"  # waits for the billing-export worker to send it
    HELD = "held"  # the finalizer is not a provider there: sent once they become one
    SENT = "sent"  # the billing system has it
    FAILED = "failed"  # every attempt failed; an operator looks at it and retries
    NO_INTEGRATION = "no_integration"  # the practice bills without an integration
    # Finalized before billing exports existed (migration 0006): never sent, not listed.
    NOT_EXPORTED = "not_exported"


class HoldReason(StrEnum):
    ASSISTANT_NOT_A_PROVIDER = "assistant_not_a_provider"
    FINALIZER_NOT_A_PROVIDER = "finalizer_not_a_provider"


@dataclass(frozen=True)
class BillingExport:
    status: BillingExportStatus
    provider_id: str | None = None
    reason: str | None = None  # what billing staff read
    reason_code: HoldReason | None = None

    @property
    def exported(self) -> bool:
        return self.status in (BillingExportStatus.PENDING, BillingExportStatus.SENT)


def decide_billing_export(
    finalizer: PracticeUser, integration: BillingIntegration | None
) -> BillingExport:
    """The billing system only accepts notes signed by one of its providers."""
    if integration is None:
        return BillingExport(BillingExportStatus.NO_INTEGRATION)
    if finalizer.id in integration.provider_ids:
        return BillingExport(BillingExportStatus.PENDING, provider_id=finalizer.id)
    code = (HoldReason.ASSISTANT_NOT_A_PROVIDER if finalizer.category == UserCategory.ASSISTANT
            else HoldReason.FINALIZER_NOT_A_PROVIDER)
    return BillingExport(
        BillingExportStatus.HELD, reason_code=code,
        reason=(
            f"{finalizer.full_name} is not a provider in {integration.name}, so this note is "
            f"held and its charges have not been sent there. Add {finalizer.full_name} as a "
            f"provider in {integration.name} (and in the practice's billing integration "
            "settings): the held notes are then sent on their own."
        ),
    )


def new_providers(before: BillingIntegration | None, after: BillingIntegration | None
                  ) -> frozenset[str]:
    """The users who became providers with this change of the integration."""
    if after is None:
        return frozenset()
    return after.provider_ids - (before.provider_ids if before else frozenset())


def retry_delay(attempts: int) -> timedelta:
    """The wait after ``attempts`` failed tries: 1, 2, 4, 8 ... seconds, at most 5 minutes."""
    if attempts < 1:
        raise ValueError(f"a delay follows at least one attempt, got {attempts}")
    return min(FIRST_RETRY_DELAY * (1 << min(attempts - 1, 20)), MAX_RETRY_DELAY)


def gives_up(attempts: int, max_attempts: int) -> bool:
    return attempts >= max_attempts


def may_list_held_notes(kind: str, user_type: str | None, permissions: Iterable[str]) -> bool:
    """Billing staff work the held notes: the Billing user type, a User Manager, and vendor
    revenue cycle staff under an access grant; the list names patients, so each needs
    view_patients too."""
    perms = frozenset(permissions)
    if VIEW_PATIENTS not in perms:
        return False
    return kind == "vendor" or user_type == BILLING_USER_TYPE or MANAGE_USERS in perms

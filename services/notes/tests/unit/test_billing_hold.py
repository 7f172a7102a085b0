"""The billing hold: a note goes to billing only under a provider; held ones wait for them."""

from __future__ import annotations

from datetime import timedelta

import pytest

from notes.domain.billing_export import (
    BillingExportStatus,
    BillingIntegration,
    HoldReason,
    decide_billing_export,
    gives_up,
    may_list_held_notes,
    new_providers,
    retry_delay,
)


def test_assistant_who_is_not_a_provider_is_held_with_the_reason(assistant, therapist):
    decision = decide_billing_export(assistant, BillingIntegration("AcmeBill",
                                                                   frozenset({therapist.id})))

    assert decision.status is BillingExportStatus.HELD
    assert decision.reason_code is HoldReason.ASSISTANT_NOT_A_PROVIDER
    assert "Amy Brooks is not a provider in AcmeBill" in decision.reason
    assert decision.provider_id is None and not decision.exported


def test_assistant_who_is_a_provider_is_sent(assistant):
    decision = decide_billing_export(assistant, BillingIntegration("AcmeBill",
                                                                   frozenset({assistant.id})))

    assert decision.status is BillingExportStatus.PENDING
    assert decision.provider_id == assistant.id and decision.exported


def test_therapist_who_is_not_a_provider_is_held_too(therapist):
    decision = decide_billing_export(therapist, BillingIntegration("AcmeBill", frozenset()))

    assert decision.status is BillingExportStatus.HELD
    assert decision.reason_code is HoldReason.FINALIZER_NOT_A_PROVIDER


def test_without_an_integration_nothing_is_held_or_sent(assistant):
    assert decide_billing_export(assistant, None).status is BillingExportStatus.NO_INTEGRATION


def test_only_users_added_to_the_providers_release_their_notes():
    before = BillingIntegration("AcmeBill", frozenset({"t1"}))
    after = BillingIntegration("AcmeBill", frozenset({"t1", "a1"}))

    assert new_providers(before, after) == {"a1"}
    assert new_providers(None, after) == {"t1", "a1"}
    assert new_providers(after, before) == frozenset()
    assert new_providers(after, None) == frozenset()


def test_retries_back_off_exponentially_up_to_five_minutes():
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3, 4)] == [1, 2, 4, 8]
    assert retry_delay(40) == timedelta(minutes=5)
    with pytest.raises(ValueError):
        retry_delay(0)


def test_an_export_is_given_up_after_the_last_attempt():
    assert not gives_up(7, 8)
    assert gives_up(8, 8)


@pytest.mark.parametrize(("kind", "user_type", "permissions", "may"), [
    ("staff", "Billing", {"view_patients"}, True),
    ("staff", "PT", {"view_patients", "manage_users"}, True),
    ("vendor", None, {"view_patients"}, True),  # revenue cycle staff under a grant
    ("staff", "PT", {"view_patients", "finish_notes"}, False),
    ("staff", "Front Office", {"view_patients"}, False),
    ("staff", "Billing", set(), False),  # the list names patients
])
def test_billing_staff_and_user_managers_list_held_notes(kind, user_type, permissions, may):
    assert may_list_held_notes(kind, user_type, permissions) is may

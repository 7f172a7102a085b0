"""Patient transactions: deleting a charge needs the delete patient transactions permission."""

from __future__ import annotations

from datetime import date

import pytest

from notes.domain.billing import BillingLine, BillingSheet
from notes.domain.errors import PermissionRefused, TransactionAlreadyDeleted
from notes.domain.transactions import charges_from_sheet
from notes.domain.users import UserCategory


@pytest.fixture
def charge(now):
    (transaction,) = charges_from_sheet(
        BillingSheet((BillingLine("97110", 2),)),
        note_id="n-1",
        patient_id="p-1",
        case_id="c-1",
        date_of_service=date(2025, 3, 14),
        provider_id="u-1",
        now=now,
    )
    return transaction


def test_therapist_with_delete_transactions_deletes_a_charge(therapist, charge, now):
    charge.delete(therapist, now)

    assert charge.is_deleted
    assert (charge.deleted_at, charge.deleted_by_id) == (now, therapist.id)


@pytest.mark.parametrize(
    "category", [UserCategory.ASSISTANT, UserCategory.CLERICAL, UserCategory.STUDENT]
)
def test_deleting_a_charge_needs_delete_transactions(make_user, charge, now, category):
    with pytest.raises(PermissionRefused, match="delete patient transactions permission"):
        charge.delete(make_user(category), now)

    assert not charge.is_deleted


def test_billing_user_granted_delete_transactions_may_delete(make_user, charge, now):
    biller = make_user(UserCategory.CLERICAL, add=frozenset({"delete_transactions"}))

    charge.delete(biller, now)

    assert charge.deleted_by_id == biller.id


def test_a_deleted_charge_cannot_be_deleted_again(therapist, charge, now):
    charge.delete(therapist, now)

    with pytest.raises(TransactionAlreadyDeleted):
        charge.delete(therapist, now)

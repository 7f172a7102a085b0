"""Finalizing a note: the gate, the co-signature on the chart, charges and billing export."""

from __future__ import annotations

from datetime import date

import pytest

from notes.domain.billing import BillingEntry, build_billing_sheet
from notes.domain.billing_export import BillingExportStatus, BillingIntegration
from notes.domain.errors import (
    FinalizationRefused,
    PermissionRefused,
    StaleNoteVersion,
    SupervisorUnavailable,
)
from notes.domain.notes import NoteStatus
from notes.domain.users import UserCategory

PT_CODES = frozenset({"97110", "97140"})


def _finalize(note, by, now, *, supervisor=None, integration=None, insurance=True, clinic=True):
    return note.finalize(
        by,
        expected_version=note.version,
        clinic_allows_assistants=clinic,
        insurance_allows_assistants=insurance,
        supervisor=supervisor,
        billing_integration=integration,
        now=now,
    )


def test_therapist_finalizing_alone_signs_with_own_initials(therapist, start_draft, now):
    note = start_draft(therapist)

    result = _finalize(note, therapist, now)

    assert note.status is NoteStatus.FINALIZED
    assert note.chart_initials == "CD"
    assert result.chart_initials == "CD"
    assert result.finalized_by_id == therapist.id
    assert result.cosigner_id is None
    assert note.signature.signed_at == now


def test_assistant_finalizing_records_supervising_therapist_as_cosigner(
    assistant, therapist, start_draft, now
):
    note = start_draft(assistant)

    result = _finalize(note, assistant, now, supervisor=therapist)

    assert result.finalized_by_id == assistant.id
    assert result.cosigner_id == therapist.id
    assert note.signature.cosigner_id == therapist.id
    assert note.chart_initials == "AB/CD"


def test_forwarded_note_cosigned_by_therapist_shows_both_initials(
    assistant, therapist, start_draft, now
):
    note = start_draft(assistant)
    note.forward(assistant, therapist, expected_version=1, now=now)

    # The therapist is not held to the assistant settings: insurance off does not matter.
    result = _finalize(note, therapist, now, insurance=False)

    assert result.finalized_by_id == therapist.id
    assert result.cosigner_id == therapist.id
    assert result.chart_initials == "AB/CD"


def test_supervising_therapist_finalizes_a_students_draft_as_cosigner(
    student, therapist, start_draft, now
):
    note = start_draft(student)

    result = _finalize(note, therapist, now)

    assert result.chart_initials == "SS/CD"


def test_student_cannot_finalize_own_note(student, therapist, start_draft, now):
    note = start_draft(student)

    with pytest.raises(FinalizationRefused) as refused:
        _finalize(note, student, now, supervisor=therapist)

    assert refused.value.details["reasons"][0]["code"] == "students_never_finalize"
    assert note.status is NoteStatus.DRAFT and note.version == 1


def test_assistant_cannot_finalize_when_insurance_disallows(assistant, therapist, start_draft, now):
    note = start_draft(assistant)

    with pytest.raises(FinalizationRefused) as refused:
        _finalize(note, assistant, now, supervisor=therapist, insurance=False)

    assert [r["code"] for r in refused.value.details["reasons"]] == [
        "insurance_disallows_assistants"
    ]
    assert "Forward the note to your supervising therapist instead." in refused.value.message
    assert note.signature is None and note.status is NoteStatus.DRAFT


def test_assistant_finalizing_needs_their_supervising_therapist_to_cosign(
    assistant, make_user, start_draft, now
):
    note = start_draft(assistant)

    with pytest.raises(SupervisorUnavailable):
        _finalize(note, assistant, now, supervisor=None)
    with pytest.raises(SupervisorUnavailable):
        _finalize(note, assistant, now, supervisor=make_user(UserCategory.THERAPIST))
    assert note.signature is None and note.billing_export is None


def test_assistant_whose_supervisor_is_not_a_therapist_cannot_finalize(make_user, start_draft, now):
    lead_pta = make_user(UserCategory.ASSISTANT, "Lee Park")
    assistant = make_user(
        UserCategory.ASSISTANT,
        add=frozenset({"finish_notes"}),
        supervising_therapist_id=lead_pta.id,
    )
    note = start_draft(assistant)

    with pytest.raises(SupervisorUnavailable, match="not a therapist"):
        _finalize(note, assistant, now, supervisor=lead_pta)


def test_only_the_therapist_a_note_is_forwarded_to_finalizes_it(
    assistant, therapist, make_user, start_draft, now
):
    note = start_draft(assistant)
    note.forward(assistant, therapist, expected_version=1, now=now)

    with pytest.raises(PermissionRefused, match="forwarded to a therapist"):
        _finalize(note, assistant, now, supervisor=therapist)
    with pytest.raises(PermissionRefused):
        _finalize(note, make_user(UserCategory.THERAPIST, "Olga Ward"), now)


def test_unrelated_therapist_cannot_finalize_someone_elses_draft(
    assistant, make_user, start_draft, now
):
    note = start_draft(assistant)

    with pytest.raises(PermissionRefused, match="author or their supervising therapist"):
        _finalize(note, make_user(UserCategory.THERAPIST, "Olga Ward"), now)


def test_finalizing_with_a_stale_version_is_a_conflict(therapist, start_draft, now):
    note = start_draft(therapist)

    with pytest.raises(StaleNoteVersion):
        note.finalize(
            therapist,
            expected_version=7,
            clinic_allows_assistants=True,
            insurance_allows_assistants=True,
            supervisor=None,
            billing_integration=None,
            now=now,
        )


def test_finalizing_creates_patient_transactions_from_the_billing_sheet(
    assistant, therapist, start_draft, now
):
    note = start_draft(assistant)
    sheet = build_billing_sheet(
        [BillingEntry("97110", 2, ("GP",)), BillingEntry("G0283", 1)], PT_CODES
    )
    note.revise(assistant, expected_version=1, now=now, billing_sheet=sheet)

    result = _finalize(note, assistant, now, supervisor=therapist)

    charges = [(t.code, t.units, t.modifiers, t.manual) for t in result.transactions]
    assert charges == [("97110", 2, ("GP",), False), ("G0283", 1, (), True)]
    for transaction in result.transactions:
        assert transaction.date_of_service == date(2025, 3, 14)
        assert transaction.provider_id == assistant.id
        assert transaction.note_id == note.id and transaction.patient_id == "patient-1"
    assert len({t.id for t in result.transactions}) == 2


def test_without_billing_integration_nothing_is_exported(therapist, start_draft, now):
    result = _finalize(start_draft(therapist), therapist, now)

    assert result.billing_export.status is BillingExportStatus.NO_INTEGRATION
    assert result.billing_provider_id is None


def test_finalizer_who_is_a_billing_provider_is_exported_as_provider(therapist, start_draft, now):
    integration = BillingIntegration("AcmeBill", frozenset({therapist.id}))

    result = _finalize(start_draft(therapist), therapist, now, integration=integration)

    assert result.billing_export.exported
    assert result.billing_provider_id == therapist.id


def test_note_finalized_by_assistant_who_is_not_a_billing_provider_is_held(
    assistant, therapist, start_draft, now
):
    # The supervising therapist being a provider does not help: the finalizer must be one.
    integration = BillingIntegration("AcmeBill", frozenset({therapist.id}))
    note = start_draft(assistant)

    result = _finalize(note, assistant, now, supervisor=therapist, integration=integration)

    assert note.billing_export.status is BillingExportStatus.HELD
    assert note.billing_export.reason_code == "assistant_not_a_provider"
    assert not note.billing_export.exported
    assert "Amy Brooks is not a provider in AcmeBill" in note.billing_export.reason
    assert result.billing_provider_id is None
    assert (result.finalized_by_id, result.cosigner_id) == (assistant.id, therapist.id)

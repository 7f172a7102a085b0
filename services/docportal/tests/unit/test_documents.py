from datetime import timedelta, timezone

import pytest

from docportal.domain.documents import DocumentKind, new_document
from docportal.domain.uploads import validate_upload


def test_accepted_upload_becomes_a_document_of_one_practices_patient(sent_at):
    upload = validate_upload("../Plan of Care.PDF", 2048, b"%PDF-1.4\n")
    east = timezone(timedelta(hours=-5))

    document = new_document(
        upload,
        org_id="org-1",
        patient_id="patient-1",
        kind="plan_of_care",
        uploaded_by="staff-1",
        now=sent_at.astimezone(east),
    )

    assert document.kind is DocumentKind.PLAN_OF_CARE
    assert (document.org_id, document.patient_id) == ("org-1", "patient-1")
    assert (document.filename, document.content_type, document.size_bytes) == (
        "Plan of Care.pdf",
        "application/pdf",
        2048,
    )
    assert document.uploaded_at == sent_at and document.uploaded_at.utcoffset() == timedelta(0)
    assert document.id


@pytest.mark.parametrize("kind", ["plan_of_care", "note", "letter", "other"])
def test_document_kinds_are_plan_of_care_note_letter_or_other(kind):
    assert DocumentKind(kind).value == kind


def test_unknown_document_kind_is_refused(sent_at):
    upload = validate_upload("x.pdf", 10, b"%PDF-1.4\n")

    with pytest.raises(ValueError):
        new_document(
            upload,
            org_id="org-1",
            patient_id="p-1",
            kind="invoice",
            uploaded_by="staff-1",
            now=sent_at,
        )

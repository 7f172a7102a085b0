"""The printout of a note: only finalized notes, with the signers and chart initials in words."""

from __future__ import annotations

import io
from datetime import date

import pytest
from pypdf import PdfReader

from notes.adapters.note_pdf import render_note_pdf
from notes.domain.billing import BillingEntry, build_billing_sheet
from notes.domain.errors import NoteNotFinalized
from notes.domain.note_parts import SoapText
from notes.domain.printout import print_note


def _finalize(note, by, now, *, supervisor=None):
    note.finalize(by, expected_version=note.version, clinic_allows_assistants=True,
                  insurance_allows_assistants=True, supervisor=supervisor,
                  billing_integration=None, now=now)


def _print(note, names):
    return print_note(note, practice_name="Harbour Physio", clinic_name="Harbour Physio",
                      patient_name="Pat Lee", patient_date_of_birth=date(1980, 2, 3),
                      user_names=names)


def test_a_draft_is_not_printed(therapist, start_draft):
    with pytest.raises(NoteNotFinalized, match="finalize the note first"):
        _print(start_draft(therapist), {})


def test_a_forwarded_note_is_not_printed(assistant, therapist, start_draft, now):
    note = start_draft(assistant)
    note.forward(assistant, therapist, expected_version=1, now=now)
    with pytest.raises(NoteNotFinalized) as refused:
        _print(note, {})
    assert refused.value.details["status"] == "forwarded"


def test_a_therapists_own_note_is_signed_by_them(therapist, start_draft, now):
    note = start_draft(therapist)
    _finalize(note, therapist, now)
    printout = _print(note, {therapist.id: "Carol Dunn"})
    assert printout.signature_line.startswith("Electronically signed by Carol Dunn on 2025-03-14")
    assert (printout.chart_initials, printout.cosigner) == ("CD", None)
    assert printout.clinic_name is None  # the same name is not printed twice


def test_a_forwarded_note_names_its_author_and_co_signer(assistant, therapist, start_draft,
                                                         now):
    note = start_draft(assistant)
    note.forward(assistant, therapist, expected_version=1, now=now)
    _finalize(note, therapist, now)
    printout = _print(note, {assistant.id: "Amy Brooks", therapist.id: "Carol Dunn"})
    assert printout.chart_initials == "AB/CD"
    assert printout.signature_line.startswith(
        "Written by Amy Brooks; electronically co-signed by Carol Dunn")


def test_an_assistants_note_names_the_supervising_therapist(assistant, therapist, start_draft,
                                                            now):
    note = start_draft(assistant)
    _finalize(note, assistant, now, supervisor=therapist)
    printout = _print(note, {assistant.id: "Amy Brooks", therapist.id: "Carol Dunn"})
    assert printout.chart_initials == "AB/CD"
    assert "signed by Amy Brooks" in printout.signature_line
    assert "supervising therapist: Carol Dunn" in printout.signature_line


def test_a_signer_without_a_known_name_is_shown_by_initials(assistant, therapist, start_draft,
                                                            now):
    note = start_draft(assistant)
    note.forward(assistant, therapist, expected_version=1, now=now)
    _finalize(note, therapist, now)
    printout = _print(note, {})
    assert (printout.author, printout.signed_by, printout.cosigner) == ("AB", "CD", "CD")


def test_the_pdf_holds_the_patient_the_soap_text_the_codes_and_the_signature(
    therapist, start_draft, now
):
    note = start_draft(therapist)
    note.revise(therapist, expected_version=1, now=now,
                soap=SoapText(subjective="Knee pain 4/10 \u2014 better on stairs.",
                              plan="Continue HEP."),
                billing_sheet=build_billing_sheet(
                    [BillingEntry("97110", 2, ("GP",)), BillingEntry("G0283")],
                    frozenset({"97110"})))
    _finalize(note, therapist, now)
    note.add_addendum(therapist, "Called the physician.", now=now)
    pdf = render_note_pdf(print_note(
        note, practice_name="Harbour Physio", clinic_name="Harbour Physio Downtown",
        patient_name="Zo\u00eb \u0141ukasz", patient_date_of_birth=date(1980, 2, 3),
        user_names={therapist.id: "Carol Dunn"}))

    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    for expected in ("Harbour Physio Downtown", "Daily Note", "Date of birth: 1980-02-03",
                     "Knee pain 4/10 - better on stairs.", "Continue HEP.", "97110", "GP",
                     "G0283", "Electronically signed by Carol Dunn", "Chart initials: CD",
                     "Called the physician."):
        assert expected in text, expected
    # Latin-1 letters print as they are; others fall back rather than failing the document.
    assert "Zo\u00eb ?ukasz" in text
    # The PDF's properties are generic: a document's metadata is indexed and shown apart.
    assert "Zo" not in str(reader.metadata)

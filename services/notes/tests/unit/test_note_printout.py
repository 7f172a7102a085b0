"""The printout of a note: only finalized notes, with the signers and chart initials in words."""

from __future__ import annotations

import io
from datetime import date
from zoneinfo import ZoneInfo

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
    assert printout.signature_line.startswith("Electronically signed by Carol Dunn on 14 Mar 2025")
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
                     "Knee pain 4/10 \u2014 better on stairs.", "Continue HEP.", "97110", "GP",
                     "G0283", "Electronically signed by Carol Dunn", "Chart initials: CD",
                     "Called the physician."):
        assert expected in text, expected
    assert "Patient: Zo\u00eb \u0141ukasz" in text  # the embedded font draws every letter
    # The PDF's properties are generic: a document's metadata is indexed and shown apart.
    assert "Zo" not in str(reader.metadata)


NAMES_IN_MANY_SCRIPTS = "Zoë Ñúñez Øster Łukasz Дмитрий Νίκος"
SIGNER = "Анна Петрова"


def _pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_a_name_in_any_script_the_font_covers_prints_and_extracts_exactly(
    therapist, start_draft, now
):
    note = start_draft(therapist)
    _finalize(note, therapist, now)
    pdf = render_note_pdf(print_note(
        note, practice_name="Harbour Physio", clinic_name=None,
        patient_name=NAMES_IN_MANY_SCRIPTS, patient_date_of_birth=date(1980, 2, 3),
        user_names={therapist.id: SIGNER}))
    text = _pdf_text(pdf)
    assert f"Patient: {NAMES_IN_MANY_SCRIPTS}" in text
    assert f"Electronically signed by {SIGNER}" in text
    assert b"/FontFile2" in pdf and b"DejaVuSans" in pdf  # embedded, not a viewer's font


def test_the_pdf_shows_times_in_the_clinics_time_zone(therapist, start_draft, now):
    note = start_draft(therapist)
    _finalize(note, therapist, now)
    note.add_addendum(therapist, "Called the physician.", now=now)
    printout = print_note(
        note, practice_name="Harbour Physio", clinic_name="Harbour Physio Boston",
        patient_name="Pat Lee", patient_date_of_birth=date(1980, 2, 3),
        user_names={therapist.id: "Carol Dunn"}, time_zone="America/New_York")
    local = now.astimezone(ZoneInfo("America/New_York"))
    shown = f"{local.day} {local:%b %Y, %H:%M} {local.tzname()}"
    assert local.tzname() in ("EST", "EDT") and local.hour != now.hour
    text = _pdf_text(render_note_pdf(printout))
    assert f"Electronically signed by Carol Dunn on {shown}." in text
    assert f"Addendum 1 (Carol Dunn, {shown})" in text
    assert "UTC" not in text


def test_without_the_font_the_pdf_still_prints_approximating_other_scripts(
    therapist, start_draft, now, tmp_path
):
    note = start_draft(therapist)
    _finalize(note, therapist, now)
    pdf = render_note_pdf(_print(note, {therapist.id: "Carol \u0141ukasz"}), font_dir=tmp_path)
    assert "Carol ?ukasz" in _pdf_text(pdf)

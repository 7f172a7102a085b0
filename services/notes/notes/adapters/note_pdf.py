"""A finalized note as a PDF (fpdf2): the document the practice shares with the physician.

The PDF carries the patient's name and date of birth because the physician must know whose
record it is; nothing of it goes into the PDF's metadata, the file name or any event.

Text is set in DejaVu Sans, embedded (subset) in the PDF, so a name in any script the font
covers (Latin, Greek, Cyrillic and more) prints and extracts exactly as it was typed. The
font comes from Debian's fonts-dejavu-core (installed by .ci/run and the notes image); where
it is missing, the PDF falls back to the built-in Latin-1 font and approximates the rest.
"""

from __future__ import annotations

import logging
import unicodedata
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from notes.domain.printout import NotePrintout

log = logging.getLogger("notes.note_pdf")

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
_FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}

_TYPOGRAPHY = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-",
    "\u2026": "...", "\u2022": "-", "\u00a0": " ", "\u2212": "-",
})
_SOAP_SECTIONS = (("Subjective", "subjective"), ("Objective", "objective"),
                  ("Assessment", "assessment"), ("Plan", "plan"))
_LINE = 5.5


def render_note_pdf(printout: NotePrintout, font_dir: Path = FONT_DIR) -> bytes:
    pdf = _NotePdf(printout, font_dir)
    pdf.add_page()
    _heading(pdf, printout)
    for title, field in _SOAP_SECTIONS:
        _section(pdf, title, getattr(printout.soap, field) or "(nothing recorded)")
    _billing_sheet(pdf, printout)
    _signature(pdf, printout)
    for number, addendum in enumerate(printout.addenda, start=1):
        _section(pdf, f"Addendum {number} ({addendum.author}, "
                      f"{printout.local(addendum.added_at)})", addendum.text)
    return bytes(pdf.output())


class _NotePdf(FPDF):
    def __init__(self, printout: NotePrintout, font_dir: Path) -> None:
        super().__init__(format="Letter")
        self.printout = printout
        self.unicode = _add_unicode_font(self, font_dir)
        self.set_margins(18, 18, 18)
        self.set_auto_page_break(auto=True, margin=18)
        # Generic metadata: a PDF's properties are shown and indexed where its pages are not.
        self.set_title("Clinical note")
        self.set_creator("Clinic Platform")
        self.set_creation_date(printout.signed_at)
        self.alias_nb_pages()

    def footer(self) -> None:
        self.set_y(-13)
        _font(self, "", 8)
        self.cell(0, 5, _text(self, f"{self.printout.practice_name} - confidential patient "
                                    f"information - page {self.page_no()} of {{nb}}"),
                  align="C")


def _heading(pdf: FPDF, printout: NotePrintout) -> None:
    _font(pdf, "B", 15)
    _line(pdf, printout.practice_name)
    if printout.clinic_name:
        _font(pdf, "", 10)
        _line(pdf, printout.clinic_name)
    pdf.ln(3)
    _font(pdf, "B", 13)
    _line(pdf, f"{printout.title} - {printout.date_of_service:%B %d, %Y}")
    _font(pdf, "", 10)
    _line(pdf, f"Patient: {printout.patient_name}")
    _line(pdf, f"Date of birth: {printout.patient_date_of_birth:%Y-%m-%d}")
    _line(pdf, f"Date of service: {printout.date_of_service:%Y-%m-%d}")
    _line(pdf, f"Author: {printout.author}")
    pdf.ln(2)


def _section(pdf: FPDF, title: str, body: str) -> None:
    pdf.ln(2)
    _font(pdf, "B", 11)
    _line(pdf, title)
    _font(pdf, "", 10)
    pdf.multi_cell(0, _LINE, _text(pdf, body), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _billing_sheet(pdf: FPDF, printout: NotePrintout) -> None:
    pdf.ln(2)
    _font(pdf, "B", 11)
    _line(pdf, "Billing sheet")
    _font(pdf, "", 10)
    if not printout.billing_lines:
        _line(pdf, "No services billed.")
        return
    with pdf.table(col_widths=(30, 20, 40, 30), text_align="LEFT",
                   first_row_as_headings=True) as table:
        table.row(("CPT code", "Units", "Modifiers", "Entered"))
        for line in printout.billing_lines:
            table.row((line.code, str(line.units), ", ".join(line.modifiers) or "-",
                       "manually" if line.manual else "from the catalog"))


def _signature(pdf: FPDF, printout: NotePrintout) -> None:
    pdf.ln(4)
    _font(pdf, "B", 11)
    _line(pdf, "Signature")
    _font(pdf, "", 10)
    pdf.multi_cell(0, _LINE, _text(pdf, printout.signature_line), new_x=XPos.LMARGIN,
                   new_y=YPos.NEXT)
    _line(pdf, f"Chart initials: {printout.chart_initials}")


def _line(pdf: FPDF, text: str) -> None:
    pdf.multi_cell(0, _LINE + 1, _text(pdf, text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _add_unicode_font(pdf: FPDF, font_dir: Path) -> bool:
    files = {style: font_dir / name for style, name in _FONT_FILES.items()}
    missing = [str(path) for path in files.values() if not path.is_file()]
    if missing:
        log.warning("note PDF font missing; names outside Latin-1 are approximated",
                    extra={"missing": missing})
        return False
    for style, path in files.items():
        pdf.add_font("DejaVu", style, str(path))
    return True


def _font(pdf: FPDF, style: str, size: int) -> None:
    unicode = getattr(pdf, "unicode", False)
    pdf.set_font("DejaVu" if unicode else "Helvetica", style, size)


def _text(pdf: FPDF, text: str) -> str:
    """The text as the reader should see it: typography kept with the embedded font; with the
    built-in Latin-1 font only, accents kept and other characters approximated."""
    text = unicodedata.normalize("NFC", text)
    if getattr(pdf, "unicode", False):
        return text
    text = text.translate(_TYPOGRAPHY)
    out = []
    for ch in text:
        if ch in "\n\t" or (ch.isprintable() and ord(ch) < 256):
            out.append(ch)
        else:
            base = unicodedata.normalize("NFKD", ch).encode("latin-1", "ignore").decode("latin-1")
            out.append(base if base.isprintable() and base else "?")
    return "".join(out)

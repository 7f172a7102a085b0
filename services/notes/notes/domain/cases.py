"""A patient's case and the one rule about changing its payer.

A case's title is a label and may change at any time. Its insurance may change only while
no note of the case is finalized: a finalized note was signed under that payer's rules (the
assistant finalization setting is per insurance) and its charges went to that payer, so
switching the case's payer afterwards would rewrite what was signed and billed. A case
opened under the wrong payer is fixed while its notes are drafts; once one is signed, care
under another payer goes on in a new case.
"""

from __future__ import annotations

from notes.domain.errors import CaseInsuranceLocked


def check_insurance_change(case_id: str, current_insurance_id: str, new_insurance_id: str,
                           *, has_finalized_note: bool) -> None:
    """Refuse (409) a new payer for a case that already has a finalized note."""
    if new_insurance_id != current_insurance_id and has_finalized_note:
        raise CaseInsuranceLocked(
            "This case has finalized notes billed under its insurance, so its insurance can "
            "no longer change; open a new case for the patient under the other insurance.",
            {"case_id": case_id, "insurance_id": current_insurance_id,
             "next_step": "open_new_case"})

"""The billing sheet offers the CPT codes of the author's discipline from the catalog copy."""

from __future__ import annotations

from notes.domain.catalog import load_user_types


def test_a_physical_therapist_is_offered_the_physical_therapy_codes():
    offer = load_user_types().offer_for("PT")
    assert (offer.user_type, offer.discipline) == ("PT", "physical_therapy")
    assert {"97110", "97161", "97530"} <= set(offer.codes)
    assert "92507" not in offer.codes  # speech treatment belongs to speech-language pathology
    assert list(offer.codes) == sorted(offer.codes)


def test_an_assistant_is_offered_codes_of_their_discipline_only():
    offer = load_user_types().offer_for("PTA")
    assert offer.discipline == "physical_therapy" and "97110" in offer.codes
    # Evaluations are the therapist's: a PTA's sheet does not offer them.
    assert "97161" not in offer.codes


def test_a_speech_language_pathologist_is_offered_speech_codes():
    offer = load_user_types().offer_for("SLP")
    assert "92507" in offer.codes and "97110" not in offer.codes


def test_clerical_and_unknown_types_are_offered_nothing():
    types = load_user_types()
    assert types.offer_for("Front Office").codes == ()
    unknown = types.offer_for("Astrologer")
    assert (unknown.user_type, unknown.discipline, unknown.codes) == ("Astrologer", None, ())
    assert types.offer_for(None).codes == ()

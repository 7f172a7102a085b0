from docportal.portal.forms import refusal_message, refusal_status
from docportal.service_layer.ports import IdentityRefused


def test_identitys_own_words_are_shown():
    refused = IdentityRefused(422, "password_rejected", "Choose a longer password.")

    assert refusal_message(refused) == "Choose a longer password."
    assert refusal_status(refused) == 422


def test_a_bad_proof_tells_the_person_to_open_the_link_again():
    refused = IdentityRefused(400, "invalid_proof", "The proof is invalid.")

    assert "Open the link from the email again" in refusal_message(refused)
    assert refusal_status(refused) == 422


def test_a_lock_is_a_429_with_a_message_even_without_identitys_words():
    assert refusal_status(IdentityRefused(423, "locked", "")) == 429
    assert "Try again later" in refusal_message(IdentityRefused(423, "locked", ""))
    assert "Wait a few minutes" in refusal_message(IdentityRefused(429, "locked", ""))


def test_an_existing_account_is_a_409_pointing_to_sign_in():
    refused = IdentityRefused(409, "recipient_exists", "")

    assert refusal_status(refused) == 409 and "Sign in instead" in refusal_message(refused)

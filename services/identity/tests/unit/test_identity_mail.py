from datetime import UTC, datetime

import pytest

from identity.adapters.mail import (
    GetStartedMail,
    InvitationMail,
    MailUnavailable,
    ResetMail,
    SmtpIdentityMailer,
)

TOKEN = "tok-AbC_123-xyz"


def mailer() -> SmtpIdentityMailer:
    return SmtpIdentityMailer(
        "smtp://127.0.0.1:1", "Clinic Platform <no-reply@clinicplatform.example>",
        staff_app_url="https://app.example/app/", portal_base_url="https://portal.example/p",
        vendor_name="Clinic Platform",
    )


def test_the_invitation_links_to_the_staff_app_and_names_the_practice():
    message = mailer().invitation_message(InvitationMail(
        to="sam@harbour.example", invitee_name="Sam Lee", practice_name="Harbour Dental",
        inviter_name="Ana Ruiz", token=TOKEN, expires_at=datetime(2025, 3, 10, 9, tzinfo=UTC),
    ))
    text = message.get_content()
    assert f"https://app.example/app/accept-invitation?token={TOKEN}" in text
    assert message["Subject"] == "Ana Ruiz invited you to Harbour Dental on Clinic Platform"
    assert TOKEN not in message["Subject"] and "10 March 2025" in text


def test_a_recipient_reset_links_to_the_portal():
    message = mailer().reset_message(ResetMail("r@mail.example", "recipient", TOKEN))
    assert f"https://portal.example/p/reset-password?token={TOKEN}" in message.get_content()


def test_a_staff_reset_links_to_the_staff_app_and_names_the_practice():
    text = mailer().reset_message(
        ResetMail("s@harbour.example", "staff", TOKEN, "Harbour Dental")).get_content()
    assert f"https://app.example/app/reset-password?token={TOKEN}" in text
    assert "Harbour Dental" in text and "one hour" in text


def test_a_name_with_a_line_break_cannot_break_the_subject_header():
    message = mailer().invitation_message(InvitationMail(
        to="sam@harbour.example", invitee_name="Sam", practice_name="Harbour\nDental",
        inviter_name="Ana\r\nBcc: evil@example.com", token=TOKEN,
        expires_at=datetime(2025, 3, 10, 9, tzinfo=UTC),
    ))
    assert message["Subject"] == "Ana Bcc: evil@example.com invited you to Harbour Dental on " \
        "Clinic Platform"
    assert message["Bcc"] is None


def test_an_address_the_mail_library_refuses_is_reported_as_undeliverable():
    with pytest.raises(MailUnavailable, match="not composed"):
        mailer().reset_message(ResetMail("a\nb@harbour.example", "staff", TOKEN))


def test_the_get_started_mail_links_to_the_staff_app_and_names_who_added_them():
    message = mailer().get_started_message(GetStartedMail(
        to="kim@harbour.example", full_name="Kim Lee", practice_name="Harbour Physio",
        added_by_name="Ana Ruiz", token=TOKEN, expires_at=datetime(2025, 3, 10, 9, tzinfo=UTC),
    ))
    text = message.get_content()
    assert f"https://app.example/app/get-started?token={TOKEN}" in text
    assert "Ana Ruiz added you to Harbour Physio" in text and "10 March 2025" in text
    assert message["Subject"] == "Get started at Harbour Physio on Clinic Platform"
    assert TOKEN not in message["Subject"]

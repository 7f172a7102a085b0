import pytest

from docportal.adapters.mailer import share_message
from docportal.config import parse_encryption
from docportal.service_layer.ports import ShareMail
from docportal.service_layer.shares import share_link
from servicekit.mail import SmtpMailer

MAIL = ShareMail("dr.lee@example.org", "Sunrise PT", "https://clinic.example/portal/s/t0k")


def test_the_share_mail_names_the_practice_and_carries_the_link():
    smtp = SmtpMailer("smtp://127.0.0.1:1025", "Clinic Platform <no-reply@clinicplatform.example>")
    message = share_message(MAIL, smtp)

    assert message["To"] == "dr.lee@example.org"
    assert message["Subject"] == "Sunrise PT shared documents with you"
    assert "https://clinic.example/portal/s/t0k" in message.get_content()
    assert "24 hours" in message.get_content()


def test_the_link_is_the_token_under_the_portal_address():
    assert share_link("https://clinic.example/portal/", "abc") == (
        "https://clinic.example/portal/s/abc")


def test_smtp_url_gives_host_port_and_login():
    mailer = SmtpMailer("smtps://user%40x:p%3Ass@mail.example:2465", "x@y.example")

    assert (mailer._host, mailer._port, mailer._scheme) == ("mail.example", 2465, "smtps")
    assert mailer._login == ("user@x", "p:ss")


def test_smtp_url_of_another_scheme_is_refused():
    with pytest.raises(ValueError, match="smtp://"):
        SmtpMailer("http://mail.example", "x@y.example")


@pytest.mark.parametrize(("raw", "expected"), [
    ("none", None), ("", None), ("AES256", "AES256"), ("aws:kms", "aws:kms")])
def test_server_side_encryption_setting(raw, expected):
    assert parse_encryption(raw) == expected


def test_an_unknown_server_side_encryption_is_refused():
    with pytest.raises(ValueError, match="AES256"):
        parse_encryption("rot13")

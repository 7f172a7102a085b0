"""Mail leaves over TLS with a login: STARTTLS on 587-style servers, implicit TLS on 465-style,
against a real SMTP server (aiosmtpd) with a certificate made for the test."""

from __future__ import annotations

import datetime
import ipaddress
import socket
import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from servicekit.mail import MailUnavailable, SmtpMailer

USER, PASSWORD = "clinic", "s3cr3t pass"


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (cert file, key file)."""
    folder = tmp_path_factory.mktemp("tls")
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=1))
            .not_valid_after(now + datetime.timedelta(hours=1))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


@pytest.fixture(scope="module")
def client_context(certificate) -> ssl.SSLContext:
    """Trusts the test certificate only, and checks the host name as production does."""
    return ssl.create_default_context(cafile=str(certificate[0]))


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[str, bytes, object]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.messages.append((envelope.mail_from, envelope.content, session.ssl))
        return "250 OK"


def check_login(server, session, envelope, mechanism, auth_data) -> AuthResult:
    ok = auth_data.login == USER.encode() and auth_data.password == PASSWORD.encode()
    return AuthResult(success=ok)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_context(certificate) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*map(str, certificate))
    return context


@pytest.fixture
def starttls_server(certificate) -> Iterator[tuple[int, Inbox]]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port(),
                            tls_context=server_context(certificate), require_starttls=True,
                            authenticator=check_login, auth_require_tls=True,
                            auth_required=True)
    controller.start()
    yield controller.port, inbox
    controller.stop()


@pytest.fixture
def smtps_server(certificate) -> Iterator[tuple[int, Inbox]]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port(),
                            ssl_context=server_context(certificate),
                            # aiosmtpd only counts STARTTLS as TLS; here every byte is TLS.
                            authenticator=check_login, auth_require_tls=False)
    controller.start()
    yield controller.port, inbox
    controller.stop()


def mailer(url: str, context: ssl.SSLContext | None) -> SmtpMailer:
    return SmtpMailer(url, "Clinic <no-reply@clinic.example>", service="test",
                      ssl_context=context)


def send_one(m: SmtpMailer) -> None:
    m.send(m.message("front.desk@clinic.example", "Your invitation", "Set your password."))


def test_starttls_upgrades_the_connection_before_logging_in(starttls_server, client_context):
    port, inbox = starttls_server
    send_one(mailer(f"smtp+starttls://{USER}:s3cr3t%20pass@127.0.0.1:{port}", client_context))
    [(sender, content, tls)] = inbox.messages
    assert sender == "no-reply@clinic.example" and b"Set your password." in content
    assert tls is not None  # the message itself travelled inside TLS, after the login
    # (the server refuses MAIL FROM before a successful AUTH)


def test_smtps_speaks_tls_from_the_first_byte(smtps_server, client_context):
    port, inbox = smtps_server
    send_one(mailer(f"smtps://{USER}:s3cr3t%20pass@127.0.0.1:{port}", client_context))
    assert len(inbox.messages) == 1  # SMTP_SSL cannot have sent it any other way


def test_a_certificate_nobody_vouches_for_is_refused(starttls_server):
    port, inbox = starttls_server
    with pytest.raises(MailUnavailable):
        send_one(mailer(f"smtp+starttls://{USER}:s3cr3t%20pass@127.0.0.1:{port}", None))
    assert inbox.messages == []


def test_plain_smtp_is_refused_by_a_server_that_requires_starttls(starttls_server):
    port, inbox = starttls_server
    with pytest.raises(MailUnavailable):
        send_one(mailer(f"smtp://127.0.0.1:{port}", None))
    assert inbox.messages == []


def test_an_unknown_scheme_is_a_configuration_error():
    with pytest.raises(ValueError, match="smtp\\+starttls://"):
        SmtpMailer("smtp+tls://mail:587", "x@clinic.example")

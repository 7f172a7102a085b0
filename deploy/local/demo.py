"""Demo data and the main story, through the gateway of a running platform.

Two uses:

* On the local stack's first start (`make run` with an empty LOCAL_DIR) the `ready` process
  calls :func:`seed_on_first_start`: a practice "Sunrise Physical Therapy" with its first
  clinic and automation profile, an owner, a physical therapist, a PT assistant supervised by
  that therapist, a front office user and a biller, two insurances, three patients with a case
  each. It writes LOCAL_DIR/demo-seeded.json with the sign-in emails, so a restart does not
  seed again, and prints how to sign in. `SEED_DEMO=0` turns it off.
* `make demo` (`python deploy/local/demo.py`) seeds a practice of its own (its emails carry the
  run's suffix, so running it twice is fine) and walks the main story, printing each step:
  an invitation accepted from the mail sink, assistant finalization allowed and refused, a plan
  of care shared and claimed on the portal, the sender seeing the claim, a revocation that
  stops the recipient's next view, an unrecognized profile that audit raises an alert about,
  and the access report of exactly what the assistant touched. It exits 1 naming the step
  that failed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import subprocess
import sys
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from email import message_from_bytes, policy
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import requests
from gateway_client import GatewayClient, NotAsExpected, answers, poll
from stack_env import stack_defaults, stack_environment
from topology import SERVICES as TOPOLOGY

from servicekit.totp_wallet import WALLET

REPO = Path(__file__).resolve().parents[2]
PASSWORD = "demo correct horse battery staple"
ACKNOWLEDGEMENT = "Yes, I understand"
DATE_OF_SERVICE = "2026-03-02"
MARKER = "demo-seeded.json"
PORTAL_LINK = re.compile(r"https?://\S+/portal/s/[A-Za-z0-9_\-]+")
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
SERVICES = tuple(service.name for service in TOPOLOGY)


class DemoFailed(NotAsExpected):
    """A step was refused: the message says which and what the platform answered."""


@dataclass
class Person:
    role: str
    email: str
    name: str
    user_id: str = ""
    token: str = ""


@dataclass
class Practice:
    """A seeded practice: its people (signed in), insurances, patients and their cases."""

    name: str
    practice_id: str
    clinic_id: str
    owner: Person
    pt: Person
    pta: Person
    desk: Person
    biller: Person
    ppo_id: str
    medicare_id: str
    patient_ids: list[str]
    case_ids: list[str]
    automation_profile: str | None = None

    @property
    def people(self) -> tuple[Person, ...]:
        return (self.owner, self.pt, self.pta, self.desk, self.biller)

    @property
    def domain(self) -> str:
        return self.owner.email.split("@", 1)[1]


def step(text: str) -> None:
    print(f"  - {text}", flush=True)


def create_practice(env: Mapping[str, str], name: str, owner: Person) -> str:
    created = subprocess.run(
        ["identity", "create-practice", "--name", name, "--owner-email", owner.email,
         "--owner-name", owner.name, "--owner-password", PASSWORD, "--seats", "20"],
        cwd=REPO, env=dict(env), capture_output=True, text=True, timeout=120)
    if created.returncode != 0:
        raise DemoFailed(f"identity create-practice: {created.stderr.strip()}")
    # "practice <id> created; owner <id>"
    words = created.stdout.splitlines()[0].split()
    owner.user_id = words[-1]
    return words[1]


def add_staff(gw: GatewayClient, mail_dir: Path, owner: Person, clinic_id: str, person: Person,
              user_type: str, supervisor: Person | None = None, grant: tuple[str, ...] = (),
              sign_in: bool = True) -> None:
    """Added by the owner (with extra permissions granted first), password set with the link
    of the get-started mail (only the person receives it), signed in.

    The gateway allows 20 sign-ins and 10 password settings a minute per address, so nobody
    signs in who does not need a token.
    """
    added = gw.post("identity", "/users", 201, token=owner.token, json={
        "email": person.email, "full_name": person.name, "user_type": user_type,
        "default_clinic_id": clinic_id, "clinic_ids": [clinic_id],
        "supervising_therapist_id": supervisor.user_id if supervisor else None}).json()
    person.user_id = added["id"]
    if grant:
        gw.patch("identity", f"/users/{person.user_id}/permissions", 200, token=owner.token,
                 json={"grant": list(grant), "acknowledge": ACKNOWLEDGEMENT})
    gw.post("identity", "/password/set", 204, json={
        "token": mailed_token(mail_dir, person.email, "get-started?"), "password": PASSWORD})
    if sign_in:
        person.token = gw.sign_in(person.email, PASSWORD)


def start_note(gw: GatewayClient, author: Person, case_id: str, subjective: str) -> dict:
    return gw.post("notes", "/notes", 201, token=author.token, json={
        "case_id": case_id, "kind": "daily_note", "date_of_service": DATE_OF_SERVICE,
        "subjective": subjective, "objective": "Knee flexion 0-115 degrees.",
        "assessment": "Progressing toward goals.",
        "plan": "Continue 2x/week for 4 weeks."}).json()


def seed_practice(gw: GatewayClient, env: Mapping[str, str], name: str, domain: str) -> Practice:
    """A practice with its first clinic and automation profile, staff, insurances, patients."""
    owner = Person("owner (User Manager, view_audit)", f"owner@{domain}", "Olivia Owner")
    pt = Person("physical therapist", f"pt@{domain}", "Paula Park")
    pta = Person("PT assistant (supervised by the PT)", f"pta@{domain}", "Andy Alvarez")
    desk = Person("front office", f"frontdesk@{domain}", "Frank Fields")
    biller = Person("billing", f"billing@{domain}", "Bea Biller")
    print(f"Demo practice '{name}' at {gw.url}", flush=True)

    practice_id = create_practice(env, name, owner)
    # The owner is a User Manager: the wallet enrols a second factor at the first sign-in.
    owner.token = gw.sign_in(owner.email, PASSWORD)
    clinic_id = gw.get("identity", "/clinics", token=owner.token).json()[0]["id"]
    step(f"practice {practice_id} with its first clinic {clinic_id} (User Managers add more "
         f"with POST /api/identity/clinics); owner {owner.email}")
    mail_dir = Path(env.get("LOCAL_DIR", ".local")) / "mail"
    add_staff(gw, mail_dir, owner, clinic_id, pt, "PT")
    add_staff(gw, mail_dir, owner, clinic_id, pta, "PTA", supervisor=pt, grant=("finish_notes",))
    add_staff(gw, mail_dir, owner, clinic_id, desk, "Front Office")
    add_staff(gw, mail_dir, owner, clinic_id, biller, "Billing", sign_in=False)
    step("staff added: PT, PTA supervised by the PT (finish_notes granted with the "
         "acknowledgement), front office, billing")
    users = gw.get("identity", "/users", token=owner.token).json()
    automation = next((u["email"] for u in users if u.get("kind") == "automation"), None)
    if automation:
        step(f"the practice's automation profile came with it: {automation}")
    for person in (owner, pt, pta, desk):
        gw.wait_until_notes_knows(person.token, who=person.email)

    ppo = gw.post("notes", "/insurances", 201, token=owner.token, json={
        "name": "Blue Harbor PPO", "allow_assistants_to_finalize": True}).json()
    medicare = gw.post("notes", "/insurances", 201, token=owner.token, json={
        "name": "Medicare Part B", "allow_assistants_to_finalize": False}).json()
    patients = [gw.post("notes", "/patients", 201, token=desk.token, json={
        "clinic_id": clinic_id, "first_name": first, "last_name": last, "date_of_birth": born,
        "phone": phone}).json()["id"] for first, last, born, phone in (
            ("Grace", "Hopper", "1956-12-09", "555-0101"),
            ("Alan", "Turing", "1962-06-23", "555-0102"),
            ("Ada", "Lovelace", "1975-12-10", "555-0103"))]
    cases = [gw.post("notes", "/cases", 201, token=desk.token, json={
        "patient_id": patient, "insurance_id": insurance, "title": title}).json()["id"]
        for patient, insurance, title in ((patients[0], ppo["id"], "Left knee"),
                                          (patients[1], medicare["id"], "Low back"),
                                          (patients[2], ppo["id"], "Right shoulder"))]
    step("insurances: Blue Harbor PPO (assistants may finalize), Medicare Part B (they may not)")
    step(f"{len(patients)} patients added by the front office, with a case each")
    return Practice(name, practice_id, clinic_id, owner, pt, pta, desk, biller, ppo["id"],
                    medicare["id"], patients, cases, automation)


SECOND_FACTOR_KEY = "authenticator key"


def sign_in_help(gw: GatewayClient, practice: Practice) -> str:
    lines = [f"\nSign in (POST {gw.url}/api/identity/login) as any of these, password "
             f"'{PASSWORD}':"]
    lines += [f"  {p.email:<36} {p.role}" for p in practice.people]
    lines.append(f"In a browser: {gw.url}/app/login (staff pages); the owner manages users at "
                 f"{gw.url}/app/users (flags unrecognized profiles, audits them).")
    secret = WALLET.secret_of(practice.owner.email)
    if secret:
        lines.append(f"{practice.owner.email} signs in with a second factor: "
                     f"{SECOND_FACTOR_KEY} {secret} "
                     "(add it to an authenticator app, or `python -c \"import pyotp; print("
                     f"pyotp.TOTP('{secret}').now())\"`) and send its code as \"otp\".")
    lines.append(f"""e.g. TOKEN=$(curl -s {gw.url}/api/identity/login -H 'Content-Type: \
application/json' \\
  -d '{{"email": "{practice.pt.email}", "password": "{PASSWORD}"}}' | jq -r .access_token)
  curl -s {gw.url}/api/notes/patients -H "Authorization: Bearer $TOKEN"
""".rstrip())
    return "\n".join(lines)


# --- mail and portal ------------------------------------------------------------------------


def mails_to(mail_dir: Path, address: str) -> list:
    """Every message the local mail sink holds for ``address``, oldest first."""
    found = []
    for path in sorted(mail_dir.glob("*.eml")):
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        if address in message.get("X-Sink-Rcpt-To", ""):
            found.append(message)
    return found


def mailed_text(mail_dir: Path, address: str) -> str:
    if not mail_dir.is_dir():
        raise DemoFailed(f"no mail sink folder {mail_dir}: the walk reads the links from the "
                         "local stack's mail sink (set LOCAL_DIR to the stack's folder)")
    messages = poll(lambda: mails_to(mail_dir, address), 20,
                    f"no mail to {address} arrived in {mail_dir}")
    return messages[-1].get_body(("plain",)).get_content()


def mailed_token(mail_dir: Path, address: str, page: str) -> str:
    """The token of the newest link to ``page`` mailed to ``address``."""
    body = mailed_text(mail_dir, address)
    link = next((w for w in body.split() if page in w), None)
    if link is None:
        raise DemoFailed(f"the mail to {address} holds no {page.rstrip('?')} link")
    return parse_qs(urlsplit(link).query)["token"][0]


def minimal_pdf(text: str) -> bytes:
    """A one-page PDF showing ``text`` (plain ASCII): enough for an upload accepted as PDF."""
    stream = f"BT /F1 14 Tf 72 720 Td ({text}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


def claim_on_the_portal(gw: GatewayClient, link: str, email: str, name: str) -> requests.Session:
    """Register from the link as a browser would; the session then holds the portal cookie."""
    browser = requests.Session()
    page = browser.get(link, timeout=30)
    found = CSRF.search(page.text)
    if page.status_code != 200 or not found:
        raise DemoFailed(f"GET the share link: {page.status_code}, no register form")
    registered = browser.post(f"{link}/register", timeout=30, data={
        "csrf_token": found.group(1), "email": email, "full_name": name,
        "password": PASSWORD, "password_confirm": PASSWORD})
    # register -> the link (which claims) -> "shared with me"; requests follows the redirects.
    if registered.status_code != 200 or not urlsplit(registered.url).path.endswith(
            "/portal/shared"):
        raise DemoFailed(f"register on the portal: {registered.status_code} at "
                         f"{registered.url}")
    return browser


# --- the walk ---------------------------------------------------------------------------------


def walk(gw: GatewayClient, practice: Practice, mail_dir: Path) -> dict:
    """The main story in ``practice``, one printed step at a time; returns what it saw."""
    owner, pt, pta = practice.owner, practice.pt, practice.pta
    patients, cases = practice.patient_ids, practice.case_ids
    suffix = practice.domain.split(".", 1)[0].removeprefix("sunrise-")
    touched: Counter[tuple[str, str]] = Counter()  # (patient, action) the PTA did
    n = iter(range(1, 100))
    print("\nThe main story:", flush=True)

    # 1. Invite a staff member; the link comes by mail.
    invitee = Person("front office (invited)", f"ivy@{practice.domain}", "Ivy Invited")
    invitation = gw.post("identity", "/invitations", 201, token=owner.token, json={
        "full_name": invitee.name, "email": invitee.email, "practice_role": "front_desk",
        "default_clinic_id": practice.clinic_id}).json()
    token = mailed_token(mail_dir, invitee.email, "accept-invitation?")
    joined = gw.post("identity", "/invitations/accept", 201, json={
        "token": token, "password": PASSWORD}).json()
    invitee.user_id = joined["user_id"]
    step(f"{next(n)}. the owner invited {invitee.email} (invitation {invitation['id']}, mail "
         f"{invitation['mail_status']}); the link from the mail sink was accepted: a new front "
         f"office user {invitee.user_id} who signs in with password '{PASSWORD}'")

    # 2. The assistant finalizes where the insurance allows it...
    gw.get("notes", f"/patients/{patients[0]}", token=pta.token)
    touched[(patients[0], "viewed")] += 1
    finalized = start_note(gw, pta, cases[0], "Stairs are easier this week.")
    touched[(patients[0], "created")] += 1
    finalized = gw.post("notes", f"/notes/{finalized['id']}/finalize", 200, token=pta.token,
                        json={"version": finalized["version"]}).json()
    touched[(patients[0], "finalized")] += 1
    step(f"{next(n)}. the PTA opened patient 1's chart and finalized a Blue Harbor PPO note: "
         f"{finalized['status']}, {finalized['chart_initials']}")

    # 3. ...and the gate refuses where it does not.
    gated = start_note(gw, pta, cases[1], "Back pain 4/10 after sitting.")
    touched[(patients[1], "created")] += 1
    refused = gw.post("notes", f"/notes/{gated['id']}/finalize", token=pta.token,
                      json={"version": gated["version"]})
    if refused.status_code != 403:
        raise DemoFailed(f"the gate should refuse the Medicare note: {refused.status_code}")
    step(f"{next(n)}. the gate refused the PTA's Medicare note: "
         f"{refused.json()['error']['message']}")
    forwarded = gw.post("notes", f"/notes/{gated['id']}/forward", 200, token=pta.token,
                        json={"version": gated["version"], "to_user_id": pt.user_id}).json()
    cosigned = gw.post("notes", f"/notes/{gated['id']}/finalize", 200, token=pt.token,
                       json={"version": forwarded["version"]}).json()
    step(f"   so the PTA forwarded it to the PT, who finalized it ({cosigned['status']})")

    # 4. Share a plan of care (and the finalized note's PDF) with a referring physician.
    recipient = f"dr.referrer@{suffix}.example"
    plan = gw.post("docportal", "/documents", 201, token=pt.token,
                   data={"patient_id": patients[0], "kind": "plan_of_care"},
                   files={"file": ("plan-of-care.pdf", minimal_pdf("Plan of care (demo)"),
                                   "application/pdf")}).json()
    note_pdf = gw.post("docportal", "/documents/from-note", 201, token=pt.token, json={
        "patient_id": patients[0], "note_id": finalized["id"]}).json()
    share = gw.post("docportal", "/shares", 201, token=pt.token, json={
        "document_ids": [plan["id"], note_pdf["id"]], "recipient_email": recipient,
        "purpose": "treatment"}).json()
    step(f"{next(n)}. the PT uploaded a plan of care and filed the note's PDF, and shared both "
         f"with {recipient} (share {share['id']}, mail {share['mail_status']})")

    # 5. The recipient claims it from the mailed link.
    found = PORTAL_LINK.search(mailed_text(mail_dir, recipient))
    if not found:
        raise DemoFailed(f"the share's mail to {recipient} holds no portal link")
    browser = claim_on_the_portal(gw, found.group(0), recipient, "Dr Riley Referrer")
    opened = browser.get(f"{gw.url}/portal/documents/{plan['id']}", timeout=30)
    if opened.status_code != 200:
        raise DemoFailed(f"the recipient opening the plan of care: {opened.status_code}")
    step(f"{next(n)}. the recipient registered from the link, which claimed the share, and "
         "opened the plan of care on the portal")

    # 6. The sender sees the claim.
    seen = gw.get("docportal", f"/shares/{share['id']}", token=pt.token).json()
    if seen["status"] != "claimed":
        raise DemoFailed(f"the share should be claimed, it is {seen['status']}")
    step(f"{next(n)}. the PT sees the share {seen['status']}, {seen.get('views', 0)} view(s)")

    # 7. Revoke: the recipient's very next view is refused.
    gw.post("docportal", f"/shares/{share['id']}/revoke", 200, token=pt.token)
    after = browser.get(f"{gw.url}/portal/documents/{plan['id']}", timeout=30)
    if after.status_code not in (403, 404, 410):
        raise DemoFailed(f"the recipient's view after the revocation: {after.status_code}")
    step(f"{next(n)}. the PT revoked the share; the recipient's next view was refused "
         f"(HTTP {after.status_code})")

    # 8. A profile on a domain the practice does not recognize: audit raises an alert.
    stranger = Person("billing (outside domain)", f"casey@freemail-{suffix}.example",
                      "Casey Contractor")
    added = gw.post("identity", "/users", 201, token=owner.token, json={
        "email": stranger.email, "full_name": stranger.name, "user_type": "Billing",
        "default_clinic_id": practice.clinic_id, "clinic_ids": [practice.clinic_id]}).json()
    stranger.user_id = added["id"]

    def the_alert() -> dict | None:
        alerts = gw.get("audit", "/alerts", token=owner.token).json()["alerts"]
        return next((a for a in alerts if a["profile_id"] == stranger.user_id), None)

    alert = poll(the_alert, 30, f"audit raised no alert about {stranger.email}")
    step(f"{next(n)}. the owner added {stranger.email}; audit raised a {alert['severity']} "
         f"alert ({alert['reason']}): {alert['message']}")

    # 9. The access report shows exactly what the PTA touched.
    expected_total = sum(touched.values())

    def the_report() -> dict | None:
        report = gw.get("audit", f"/reports/access?user_id={pta.user_id}",
                        token=owner.token).json()
        return report if report["total_records"] >= expected_total else None

    report = poll(the_report, 30, f"the PTA's access report did not reach {expected_total} "
                  "records")
    seen_counts = Counter({(row["key"], action): count for row in report["rows"]
                           for action, count in row["by_action"].items()})
    if seen_counts != touched:
        raise DemoFailed(f"the PTA's access report {dict(seen_counts)} is not what the walk "
                         f"did {dict(touched)}")
    step(f"{next(n)}. the audit report of the PTA: {report['row_count']} patients, "
         f"{report['total_records']} records, as the walk did:")
    for row in report["rows"]:
        number = patients.index(row["key"]) + 1 if row["key"] in patients else "?"
        actions = ", ".join(f"{a} {c}" for a, c in sorted(row["by_action"].items()) if c)
        print(f"       patient {number} ({row['key']}): {row['records']} record(s): {actions}",
              flush=True)
    return {"invitee": invitee.email, "invitee_id": invitee.user_id, "share_id": share["id"],
            "share_status": seen["status"], "refused_after_revoke": after.status_code,
            "alert": alert, "access_report": report,
            "expected_access": {f"{p} {a}": c for (p, a), c in touched.items()},
            "finalized_note_id": finalized["id"], "forwarded_note_id": gated["id"]}


# --- first start ------------------------------------------------------------------------------


def wait_until_ready(gw: GatewayClient, timeout: float = 60) -> None:
    """Every service answers /readyz (its database and the bus) through the gateway."""
    for service in SERVICES:
        poll(lambda service=service: answers(f"{gw.url}/api/{service}/readyz"), timeout,
             f"{service} did not answer /readyz through the gateway", 0.5)


def seed_on_first_start(environ: Mapping[str, str], gateway: str) -> dict | None:
    """Seed the demo practice unless SEED_DEMO=0 or LOCAL_DIR's marker says it was done.

    Never raises: a failure is printed with what to do, and the stack keeps running.
    """
    if environ.get("SEED_DEMO", "1").strip().lower() in ("0", "false", "no", "off"):
        return None
    local_dir = Path(environ.get("LOCAL_DIR", ".local"))
    marker = local_dir / MARKER
    if marker.exists():
        try:
            seeded = json.loads(marker.read_text())
            print(f"\nThe demo practice '{seeded['practice']}' was seeded on the first start: "
                  f"sign in as {', '.join(seeded['people'])} with password "
                  f"'{seeded['password']}' ({marker}).", flush=True)
            for email, key in seeded.get("second_factor_keys", {}).items():
                print(f"{email} signs in with a second factor: {SECOND_FACTOR_KEY} {key}",
                      flush=True)
        except (OSError, ValueError, KeyError):
            print(f"\n{marker} exists, so the demo practice is not seeded again.", flush=True)
        return None
    gw = GatewayClient(url=gateway)
    print("\nSeeding a demo practice (first start; SEED_DEMO=0 turns this off):", flush=True)
    try:
        wait_until_ready(gw)
        practice = seed_practice(gw, environ, "Sunrise Physical Therapy", "sunrise.example")
    except (NotAsExpected, requests.RequestException, OSError, subprocess.SubprocessError) as err:
        print(f"demo seed failed: {err}\nThe platform runs on; `make demo` seeds a practice of "
              "its own, or `make clean` and `make run` start over.", flush=True)
        return None
    seeded = {"practice": practice.name, "practice_id": practice.practice_id,
              "clinic_id": practice.clinic_id, "password": PASSWORD,
              "people": {p.email: p.role for p in practice.people},
              "automation_profile": practice.automation_profile,
              # The owner's authenticator key (a local demo's, printed anyway), so the sign-in
              # instructions still work after a restart.
              "second_factor_keys": {practice.owner.email:
                                     WALLET.secret_of(practice.owner.email)}}
    marker.write_text(json.dumps(seeded, indent=2) + "\n")
    print(sign_in_help(gw, practice), flush=True)
    print("`make demo` walks the main story (invite, finalize, share, claim, revoke, audit) in "
          "a new practice of its own and prints each step.", flush=True)
    return seeded


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Walk the main story through the gateway.")
    parser.add_argument("--gateway", default=os.environ.get("GATEWAY_URL",
                                                            "http://127.0.0.1:8080"))
    parser.add_argument("--real", action="store_true",
                        help="the platform runs with `make run-real` (PostgreSQL, RabbitMQ)")
    parser.add_argument("--suffix", default=None, help="told apart from earlier runs by this")
    parser.add_argument("--first-start", action="store_true",
                        help="only what the stack does on its first start: seed the demo "
                             "practice unless LOCAL_DIR/demo-seeded.json says it is done")
    args = parser.parse_args(argv)
    local_dir = (REPO / os.environ.get("LOCAL_DIR", ".local")).resolve()
    # The identity CLI must reach the same database as the running stack: the launcher's env.
    env = stack_environment(os.environ, stack_defaults(local_dir, real=args.real))
    env["LOCAL_DIR"] = str(local_dir)
    gw = GatewayClient(url=args.gateway)
    if not answers(f"{gw.url}/healthz"):
        print(f"demo: no gateway at {gw.url}; start the platform first (make run)",
              file=sys.stderr)
        return 1
    if args.first_start:
        seed_on_first_start(env, gw.url)
        return 0
    suffix = args.suffix or secrets.token_hex(3)
    try:
        practice = seed_practice(gw, env, f"Sunrise Physical Therapy {suffix}",
                                 f"sunrise-{suffix}.example")
        walk(gw, practice, local_dir / "mail")
    except NotAsExpected as exc:
        print(f"demo: {exc}", file=sys.stderr)
        return 1
    print(sign_in_help(gw, practice), flush=True)
    print(f"  the mails (invitation, share link) are in the mail sink: {local_dir / 'mail'}/\n"
          "  .venv/bin/audit events --tail 20    every step above, as audit recorded it",
          flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

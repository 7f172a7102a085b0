"""A dental practice as the dental seed describes it, through the gateway on both stacks.

The owner invites a dentist, a hygienist who is an existing practitioner record and a Front
Desk member; two invitations for one new practitioner never make two records; a User-level
member is refused the Admin-only areas and patient edits; a treatment plan the patient
proceeds with is mailed to the owner and Front Desk; the Practice Digest arrives with real
figures, and Front Desk never gets a digest.
"""

from __future__ import annotations

import re

import pytest
import requests
from e2e_stack import (
    GATEWAY,
    PASSWORD,
    Api,
    known_to_notes,
    mailed_token,
    past_rate_limit,
    sign_in,
)

from servicekit_testing.fixtures import wait_for

pytestmark = pytest.mark.e2e

DOMAIN = "harbour-dental.example"
OWNER = f"owner@{DOMAIN}"
PATIENT = "pat.smile@patients.example"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def invite(owner: Api, email: str, full_name: str, **role) -> requests.Response:
    return owner.post("identity", "/invitations", json={
        "email": email, "full_name": full_name, **role})


def join(platform, email: str) -> Api:
    """The invitee opens the mailed link's token, sets a password and signs in."""
    token = mailed_token(platform, email, "accept-invitation")
    accepted = past_rate_limit(lambda: requests.post(
        f"{GATEWAY}/api/identity/invitations/accept", timeout=10,
        json={"token": token, "password": PASSWORD}))
    assert accepted.status_code == 201, accepted.text
    return Api(sign_in(email, PASSWORD))


def mails(platform, address: str, subject_has: str) -> list:
    return [m for m in platform.mail_to(address) if subject_has in m["Subject"]]


def test_a_dental_practice_from_invitations_to_its_digest(platform):
    platform.cli("identity", "create-practice", "--name", "Harbour Dental", "--owner-email",
                 OWNER, "--owner-password", PASSWORD, "--model", "dental",
                 "--domain", DOMAIN)
    owner = Api(sign_in(OWNER, PASSWORD))
    known_to_notes(owner.session.headers["Authorization"].split()[1])

    # A dentist: clinical role Dentist, user type Dentist, never PT.
    invite(owner, f"dana@{DOMAIN}", "Dr Dana Wu", practice_role="practitioner",
           clinical_role="dentist").raise_for_status()
    dentist = join(platform, f"dana@{DOMAIN}")
    me = dentist.get("identity", "/me").json()
    assert me["user_type"] == "Dentist"
    profile = me["role_profile"]
    assert (profile["practice_role"], profile["clinical_role"]) == ("practitioner", "dentist")
    assert profile["digests"] == ["practitioner_digest"]

    # A hygienist who is an existing practitioner record.
    record = owner.post("identity", "/practitioners", 201, json={
        "name": "Hana Lee", "clinical_role": "hygienist"}).json()
    invite(owner, f"hana@{DOMAIN}", "Hana Lee", practice_role="practitioner",
           clinical_role="hygienist", practitioner_id=record["id"]).raise_for_status()
    join(platform, f"hana@{DOMAIN}")
    records = owner.get("identity", "/practitioners").json()["practitioners"]
    [hana] = [r for r in records if r["name"] == "Hana Lee"]
    assert hana["id"] == record["id"] and hana["linked"] is True

    # Two invitations for one new practitioner: the second waits for a decision.
    invite(owner, f"noor@{DOMAIN}", "Noor Haddad", practice_role="practitioner",
           clinical_role="oral_health_therapist").raise_for_status()
    again = invite(owner, f"noor.h@{DOMAIN}", "Noor Haddad", practice_role="practitioner",
                   clinical_role="oral_health_therapist")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "practitioner_decision_required"
    join(platform, f"noor@{DOMAIN}")
    named = [r for r in owner.get("identity", "/practitioners").json()["practitioners"]
             if r["name"] == "Noor Haddad"]
    assert len(named) == 1

    # Front Desk: a User-level member, refused the Admin-only areas and patient edits.
    invite(owner, f"desk@{DOMAIN}", "Fran Desk", practice_role="front_desk").raise_for_status()
    desk = join(platform, f"desk@{DOMAIN}")
    for area in ("/practice", "/practice/integrations"):
        refused = desk.get("identity", area, expect=403)
        assert refused.json()["error"]["code"] == "admin_only"
    clinic_id = owner.get("identity", "/clinics").json()[0]["id"]
    patient = owner.post("notes", "/patients", 201, json={
        "clinic_id": clinic_id, "first_name": "Pat", "last_name": "Smile",
        "date_of_birth": "1980-02-03", "email": PATIENT}).json()
    assert desk.patch("notes", f"/patients/{patient['id']}",
                      json={"phone": "555-0100"}).status_code == 403

    # A treatment plan sent to the patient and proceeded with.
    plan = dentist.post("notes", "/treatment-plans", 201, json={
        "patient_id": patient["id"], "items": [
            {"code": "D2740", "description": "Crown", "price_cents": 120000},
            {"code": "D1110", "description": "Clean", "price_cents": 9500}]}).json()
    dentist.post("notes", f"/treatment-plans/{plan['id']}/send", 200)
    link = wait_for(lambda: next((re.search(r"(/plan/t/[A-Za-z0-9_\-]+)",
                                            m.get_body(("plain",)).get_content()).group(1)
                                  for m in platform.mail_to(PATIENT)), None), timeout=15)
    browser = requests.Session()
    page = browser.get(f"{GATEWAY}{link}", timeout=10)
    assert page.status_code == 200
    proven = browser.post(f"{GATEWAY}{link}", timeout=10, data={
        "csrf_token": CSRF.search(page.text).group(1), "email": PATIENT})
    assert proven.status_code == 200 and "Crown" in proven.text
    answered = browser.post(f"{GATEWAY}{link}/answer", timeout=10, data={
        "csrf_token": CSRF.search(proven.text).group(1), "choice": "proceed"})
    assert answered.status_code == 200

    for person in (OWNER, f"desk@{DOMAIN}"):
        [told] = wait_for(lambda p=person: mails(platform, p, "roceed") or None, timeout=30)
        body = told.get_body(("plain",)).get_content()
        assert "Pat" not in body and "Crown" not in body  # no PHI in the notification
    assert mails(platform, f"dana@{DOMAIN}", "roceed") == []  # off by default

    # The Practice Digest, now: real figures; Front Desk gets none. The stack's mail worker
    # may send it first: the command counts it already sent and still exits 0.
    platform.cli("identity", "digests", "send", "--now")
    [digest] = wait_for(lambda: mails(platform, OWNER, "Practice Digest") or None, timeout=15)
    text = digest.get_body(("plain",)).get_content()
    assert "Treatment plans sent: 1" in text and "Treatment plans proceeded with: 1" in text
    assert "1,295.00" in text
    assert "Invitations sent: 4" in text  # dentist, hygienist, Noor, Front Desk
    assert [m for m in platform.mail_to(f"desk@{DOMAIN}") if "Digest" in m["Subject"]] == []

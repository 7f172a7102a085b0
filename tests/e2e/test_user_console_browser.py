"""The User Manager's console in a real headless Chromium, through the gateway.

The owner invites a PTA with a supervising therapist; the PTA opens the mailed link, sets a
password and lands on their home; the owner moves the PTA to another clinic and supervisor,
deactivates and reactivates them; the console flags a profile of a domain the practice does
not recognize, and "audit this profile" shows audit's report of what it touched, with CSV.
Screenshots go to SCREENSHOT_DIR (default: the test's tmp dir) to be looked at.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from e2e_stack import (
    GATEWAY,
    PASSWORD,
    Api,
    StaffPractice,
    add_staff,
    mailed_token,
    new_chart,
    new_practice,
)
from staff_browser import chromium, sign_in_page

from servicekit_testing.fixtures import wait_for

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


@pytest.fixture
def shots(tmp_path) -> Path:
    folder = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def suffix() -> str:
    return uuid.uuid4().hex[:8]


def touched_by_a_stranger(owner: StaffPractice) -> tuple[str, str]:
    """A profile of an unrecognized domain that read a patient: (its id, the patient id)."""
    stranger, token = add_staff(owner, f"mallory-{suffix()}@elsewhere.example",
                                "Mallory Stranger", "PT")
    chart = new_chart(owner)
    Api(token).get("notes", f"/patients/{chart['patient_id']}")
    audit = Api(owner.token)
    wait_for(lambda: audit.get("audit", f"/reports/access?user_id={stranger}").json()["rows"],
             timeout=30, interval=0.2)
    return stranger, chart["patient_id"]


def test_the_owner_manages_a_pta_and_audits_an_unrecognized_profile(
        platform, browser, shots):
    domain = f"harbour-{suffix()}.example"
    owner = new_practice(platform, "Harbour Physio", f"owner@{domain}")
    api = Api(owner.token)
    first_pt, _ = add_staff(owner, f"pt1@{domain}", "Avery Therapist", "PT")
    second_pt, _ = add_staff(owner, f"pt2@{domain}", "Blake Therapist", "PT")
    main_clinic = api.get("identity", "/clinics").json()[0]["id"]
    north = api.post("identity", "/clinics", 201, json={"name": "North Clinic"}).json()
    stranger, patient = touched_by_a_stranger(owner)
    pta_email = f"pta@{domain}"

    manager = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
    page = manager.new_page()
    sign_in_page(page, owner.owner_email, then="/app/users")

    # Invite a PTA supervised by the first PT.
    page.click("#add-user-link")
    assert page.locator("#user-type").input_value() == "PT"  # seeds/000: PT by default
    page.fill("#full-name", "Pat Assistant")
    page.fill("#email", pta_email)
    page.select_option("#user-type", "PTA")
    page.select_option("#practice-role", "practitioner")
    page.select_option("#clinical-role", "other")
    page.select_option("#default-clinic", main_clinic)
    page.select_option("#supervisor", first_pt)
    page.screenshot(path=shots / "1-invite-form.png", full_page=True)
    page.click("#new-user-submit")
    page.wait_for_url(f"{GATEWAY}/app/users")
    assert f"Invitation sent to {pta_email}" in page.inner_text("#flash")
    assert "Pat Assistant" in page.inner_text("#invitations")

    # The PTA opens the mailed link, sets a password and lands on their home.
    token = mailed_token(platform, pta_email, "accept-invitation")
    newcomer = browser.new_context(viewport={"width": 1280, "height": 900})
    pta_page = newcomer.new_page()
    pta_page.goto(f"{GATEWAY}/app/accept-invitation?token={token}")
    pta_page.fill("#new-password", PASSWORD)
    pta_page.fill("#new-password-confirm", PASSWORD)
    pta_page.click("#accept-submit")
    pta_page.wait_for_url(f"{GATEWAY}/app/home")
    assert "PTA" in pta_page.inner_text("#profile-user-type")
    pta_page.screenshot(path=shots / "2-pta-home.png", full_page=True)
    pta_id = next(u["id"] for u in api.get("identity", "/users").json()
                  if u["email"] == pta_email)
    assert api.get("identity", f"/users/{pta_id}").json()["supervising_therapist_id"] == first_pt

    # The owner moves the PTA to the North clinic and under the second PT.
    page.goto(f"{GATEWAY}/app/users")
    page.click(f"#user-{pta_id} a")
    page.check(f"#clinic-{north['id']}")
    page.select_option("#edit-default-clinic", north["id"])
    page.select_option("#edit-supervisor", second_pt)
    page.click("#edit-submit")
    page.wait_for_url(f"{GATEWAY}/app/users/{pta_id}")
    assert "North Clinic (default)" in page.inner_text("#profile-clinics")
    assert "Blake Therapist" in page.inner_text("#profile-supervisor")
    page.screenshot(path=shots / "3-pta-edited.png", full_page=True)
    edited = api.get("identity", f"/users/{pta_id}").json()
    assert edited["supervising_therapist_id"] == second_pt
    assert set(edited["clinics"]) == {main_clinic, north["id"]}

    # Finish SOAP notes for an assistant asks the seed's "Yes, I understand" first.
    page.check("#permission-finish_notes")
    page.click("#permissions-submit")
    page.wait_for_selector("#finish-notes-question")
    page.screenshot(path=shots / "3b-yes-i-understand.png", full_page=True)
    page.click("#acknowledge")
    page.wait_for_url(f"{GATEWAY}/app/users/{pta_id}")
    assert page.is_checked("#permission-finish_notes")

    # Deactivated, then reactivated.
    page.click("#deactivate-submit")
    page.wait_for_selector("#reactivate-form")
    assert page.inner_text("#profile-status") == "Deactivated"
    assert api.get("identity", f"/users/{pta_id}").json()["status"] == "inactive"
    page.click("#reactivate-submit")
    page.wait_for_selector("#deactivate-form")
    assert page.inner_text("#profile-status") == "Active"

    # The console flags the stranger, and its audit shows what it touched.
    page.goto(f"{GATEWAY}/app/users")
    row = page.locator(f"#user-{stranger}")
    assert row.get_attribute("class") == "flagged"
    assert "Unrecognized" in row.inner_text() and "elsewhere.example" in row.inner_text()
    assert page.locator("#unrecognized-warning").is_visible()
    automation = page.locator("tr[data-kind=vendor_automation]")
    assert "automation profile" in automation.inner_text()
    page.screenshot(path=shots / "4-console.png", full_page=True)
    row.locator(".audit-link").click()
    page.wait_for_url(f"{GATEWAY}/app/users/{stranger}/audit")
    assert page.inner_text("#patient-count") == "1"
    assert int(page.inner_text("#record-count")) >= 1
    assert patient in page.inner_text("#access-report")
    page.screenshot(path=shots / "5-audit-report.png", full_page=True)
    with page.expect_download() as download_info:
        page.click("#audit-csv")
    saved = shots / "access-report.csv"
    download_info.value.save_as(saved)
    assert patient in saved.read_text()
    manager.close()
    newcomer.close()

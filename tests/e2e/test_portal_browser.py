"""The document portal in a real headless Chromium, through the gateway on the local stack.

Staff finalize a note and share its PDF; the link arrives in the mail sink; the recipient
registers from it, views and downloads the PDF; the sender sees the views and revokes; the
recipient's next view is refused. Another account opening a link is refused, and a link not
opened within 24 hours is expired.
"""

from __future__ import annotations

import re
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from e2e_stack import (
    GATEWAY,
    PASSWORD,
    Api,
    StaffPractice,
    new_chart,
    new_practice,
    start_note,
)
from sqlalchemy import select, update

from docportal.adapters.tables import shares
from servicekit_testing.fixtures import wait_for

pytestmark = pytest.mark.e2e

CHROMIUM = Path("/usr/bin/chromium")
LINK = re.compile(r"https?://\S+/portal/s/[A-Za-z0-9_\-]+")


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is not installed: apt-get install chromium "
                    "(.ci/run does it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            # Root in a container has no user namespaces for Chromium's sandbox.
            args=["--no-sandbox"] if sys.platform == "linux" else [])
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def sender(platform) -> StaffPractice:
    return new_practice(platform, "Harbour Physio", "owner@harbour.example")


def share_note_pdf(sender: StaffPractice, recipient: str) -> dict:
    """A finalized note's PDF, filed as a document and shared with ``recipient``."""
    api = Api(sender.token)
    chart = new_chart(sender)
    note = start_note(api, chart)
    api.post("notes", f"/notes/{note['id']}/finalize", 200, json={"version": note["version"]})
    document = api.post("docportal", "/documents/from-note", 201, json={
        "patient_id": chart["patient_id"], "note_id": note["id"]}).json()
    share = api.post("docportal", "/shares", 201, json={
        "document_ids": [document["id"]], "recipient_email": recipient,
        "purpose": "treatment"}).json()
    assert share["mail_status"] == "sent"
    return {"share": share, "document": document, "patient_id": chart["patient_id"]}


def mailed_link(platform, recipient: str, count: int = 1) -> str:
    mails = wait_for(lambda: len(platform.mail_to(recipient)) >= count
                     and platform.mail_to(recipient), timeout=15)
    body = mails[count - 1].get_body(("plain",)).get_content()
    assert "Robin" not in body and "Example" not in body  # no patient data in the mail
    return LINK.search(body).group(0)


def register(page, link: str, email: str, name: str) -> None:
    page.goto(link)
    page.fill("#register-email", email)
    page.fill("#register-name", name)
    page.fill("#register-password", PASSWORD)
    page.fill("#register-password-confirm", PASSWORD)
    page.click("#register-submit")


def problem(page) -> tuple[str, str]:
    element = page.locator("#problem")
    return element.get_attribute("data-status"), page.inner_text("#problem-message")


def test_share_register_view_download_track_and_revoke(platform, browser, sender, tmp_path):
    recipient = "dr.lee@physicians.example"
    shared = share_note_pdf(sender, recipient)
    share_id, document_id = shared["share"]["id"], shared["document"]["id"]
    link = mailed_link(platform, recipient)
    assert link.startswith(f"{GATEWAY}/portal/s/")

    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    register(page, link, recipient, "Dr Dana Lee")
    # The link claims the share and lands on "shared with me", with the practice's name.
    page.wait_for_selector(f"#share-{share_id}")
    assert "Harbour Physio" in page.inner_text(f"#share-{share_id}")

    page.click(f"#document-{document_id}")
    frame = page.wait_for_selector("#document-frame")
    pdf = page.request.get(f"{GATEWAY}/portal/documents/{document_id}/file")
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF")
    assert frame.get_attribute("src").endswith(f"/portal/documents/{document_id}/file")
    with page.expect_download() as download_info:
        page.click("#download-link")
    saved = tmp_path / "note.pdf"
    download_info.value.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF")

    # The sender sees the claim, the views and the download.
    tracking = Api(sender.token).get("docportal", f"/shares/{share_id}").json()
    assert tracking["claimed_at"] is not None
    assert tracking["views"] >= 1 and tracking["downloads"] >= 1
    assert any(a["kind"] == "downloaded" and "Chrome" in (a["client"] or "")
               for a in tracking["activity"]), tracking["activity"]

    # Revoked: the very next view and download are refused.
    Api(sender.token).post("docportal", f"/shares/{share_id}/revoke", 200)
    refused = page.goto(f"{GATEWAY}/portal/documents/{document_id}")
    assert refused.status in (403, 404, 410)
    file_refused = page.request.get(f"{GATEWAY}/portal/documents/{document_id}/file")
    assert file_refused.status in (403, 404, 410)
    assert not file_refused.body().startswith(b"%PDF")
    context.close()


def test_another_account_opening_the_link_is_refused(platform, browser, sender):
    shared = share_note_pdf(sender, "dr.park@physicians.example")
    link = mailed_link(platform, "dr.park@physicians.example")
    # Someone else holds a recipient account of their own (from a share of their own).
    share_note_pdf(sender, "someone.else@elsewhere.example")
    other_link = mailed_link(platform, "someone.else@elsewhere.example")

    context = browser.new_context()
    page = context.new_page()
    register(page, other_link, "someone.else@elsewhere.example", "Sam Else")
    page.wait_for_selector("[id^=share-]")
    response = page.goto(link)
    assert response.status == 403
    status, message = problem(page)
    assert status == "403"
    assert "dr.park@physicians.example" not in page.content()  # nothing about the share
    tracking = Api(sender.token).get("docportal", f"/shares/{shared['share']['id']}").json()
    assert tracking["claimed_at"] is None
    assert message
    context.close()


def test_a_link_not_opened_within_24_hours_is_expired(platform, browser, sender):
    recipient = "dr.moss@physicians.example"
    shared = share_note_pdf(sender, recipient)
    link = mailed_link(platform, recipient)
    # The clock moved: the share was sent 25 hours ago (written where docportal keeps it).
    share_id = shared["share"]["id"]
    with platform.engine("docportal").begin() as db:
        sent_at = db.execute(select(shares.c.sent_at).where(shares.c.id == share_id)).scalar_one()
        db.execute(update(shares).where(shares.c.id == share_id)
                   .values(sent_at=sent_at - timedelta(hours=25)))

    page = browser.new_page()
    # Opened by nobody in particular, the link tells nothing; the recipient signs up from it
    # and is told the link expired.
    assert page.goto(link).status == 200
    with page.expect_response(lambda r: "/register" in r.url) as answer:
        register(page, link, recipient, "Dr Mo Moss")
    assert answer.value.status == 410
    status, message = problem(page)
    assert status == "410"
    assert "share it again" in message
    page.close()
    status = Api(sender.token).get("docportal", f"/shares/{shared['share']['id']}").json()
    assert status["status"] == "expired"

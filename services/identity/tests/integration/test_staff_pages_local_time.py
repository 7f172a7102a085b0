"""The staff pages show times as the practice reads them: in its clinics' time zone, with the
zone's abbreviation ("2 Jan 2026, 05:00 EST"), as notes' and docportal's pages do; never a bare
UTC time."""

from __future__ import annotations

import re
import sys
import uuid
from datetime import datetime
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from staff_pages_harness import PASSWORD, mailed_link, sign_in  # noqa: E402

from identity.adapters.audit_reports import AccessReport, AccessReportRow
from identity.adapters.signing_keys import new_private_key_pem
from identity.app import create_app
from identity.pages.console_audit import AUDIT_REPORTS
from identity.service_layer.practices import create_practice
from identity.spec import SPEC
from servicekit.local_time import local_date, local_time
from servicekit.migrations import upgrade
from servicekit.totp_wallet import sign_in_through

pytestmark = pytest.mark.integration
ZONE = "America/New_York"
EXPIRY = re.compile(r'<time datetime="([^"]+)">([^<]+)</time>')


class OneRowAuditReports:
    """Audit's access report as the console reads it: one patient, first seen at 10:00 UTC."""

    def user_access_report(self, token: str, user_id: str) -> AccessReport:
        return AccessReport(user_id, 5, (
            AccessReportRow("patient-aaa", 5, "2026-01-02T10:00:00+00:00",
                            "2026-07-02T10:00:00+00:00"),), {"viewed": 5}, None, None)


@pytest.fixture
def app(database_url, tmp_path, mail_sink):
    upgrade(SPEC.migrations_dir, database_url)
    app = create_app(SPEC.load_config(
        local_dir=tmp_path, database_url=database_url, bus_url="memory://",
        jwt_private_keys=new_private_key_pem(), smtp_url=mail_sink.url,
        staff_app_url="http://127.0.0.1:8080/app"))
    app.config["TESTING"] = True
    app.extensions[AUDIT_REPORTS] = OneRowAuditReports()
    yield app
    app.extensions["servicekit.runtime"].close()


@pytest.fixture
def practice(app):
    """A practice in New York: its first clinic's time zone."""
    ident = app.extensions["identity"]
    owner = f"owner-{uuid.uuid4().hex[:8]}@hudsonphysio.example"
    created = create_practice(ident.uow(), name="Hudson Physio", owner_email=owner,
                              owner_password=PASSWORD, seats=10, catalog=ident.catalog,
                              hashing=ident.hashing, time_zone=ZONE)
    return created, owner


def test_an_invitation_shows_its_expiry_in_the_practices_time_zone(app, practice, mail_sink):
    created, owner = practice
    signed_in = sign_in_through(app.test_client(), {"email": owner, "password": PASSWORD})
    email = f"sam-{uuid.uuid4().hex[:8]}@hudsonphysio.example"
    invited = app.test_client().post("/invitations", headers={
        "Authorization": f"Bearer {signed_in.get_json()['access_token']}"}, json={
        "full_name": "Sam Lee", "email": email, "practice_role": "front_desk",
        "user_type": "Front Office"})
    assert invited.status_code == 201, invited.get_json()

    page = app.test_client().get(mailed_link(mail_sink.to(email)[-1]))
    assert page.status_code == 200
    [(instant, shown)] = EXPIRY.findall(page.get_data(as_text=True))
    expires_at = datetime.fromisoformat(instant)
    assert shown == local_time(expires_at, ZONE)  # e.g. "14 Dec 2026, 19:05 EST"
    assert shown.endswith((" EST", " EDT")) and "UTC" not in shown

    browser = app.test_client()
    assert sign_in(browser, owner).status_code == 302
    users = browser.get("/app/users").get_data(as_text=True)
    assert f"expires {local_date(expires_at, ZONE)}" in users


def test_audit_this_profile_shows_first_and_last_access_in_local_time(app, practice):
    created, owner = practice
    browser = app.test_client()
    assert sign_in(browser, owner).status_code == 302
    page = browser.get(f"/app/users/{created.owner_id}/audit")
    assert page.status_code == 200, page.get_data(as_text=True)
    body = page.get_data(as_text=True)
    assert "2 Jan 2026, 05:00 EST" in body  # 10:00 UTC in winter
    assert "2 Jul 2026, 06:00 EDT" in body  # and in summer
    assert "2026-01-02T10:00:00" not in body

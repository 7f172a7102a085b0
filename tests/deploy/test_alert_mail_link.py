"""The link in audit's alert mails (AUDIT_ALERTS_URL) opens a page a User Manager can use: the
staff console's users page, which identity serves under the gateway's /app (the profile the
alert is about is flagged there and can be audited), never a JSON API address."""

from __future__ import annotations

from urllib.parse import urlsplit

from audit.config import AuditConfig
from audit.domain.alert_push import mail_text
from identity.app import create_app
from identity.spec import SPEC as IDENTITY
from servicekit.config import load_config
from servicekit.migrations import upgrade


def test_the_default_alert_link_is_a_staff_console_page_identity_serves(tmp_path):
    link = load_config(AuditConfig, "audit", environ={}, local_dir=tmp_path).alerts_url
    path = urlsplit(link).path
    assert path.startswith("/app/") and "/api/" not in path, link
    database = f"sqlite:///{tmp_path / 'identity.db'}"
    upgrade(IDENTITY.migrations_dir, database)
    identity = create_app(IDENTITY.load_config(local_dir=tmp_path, database_url=database,
                                               bus_url="memory://"))
    page = identity.test_client().get(path)  # signed out: the sign-in page, then back here
    assert page.status_code in (200, 302, 303), page.status_code
    assert page.status_code == 200 or "/app/login" in page.headers["Location"]
    _, text = mail_text({"severity": "high", "reason": "unrecognized_domain",
                         "status": "open", "alert_id": "a-1"}, link)
    assert link in text and "acknowledge" in text

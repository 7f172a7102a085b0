"""The User Manager's console under /app/users: the practice's profiles with whether the
practice recognizes each, add or invite, edit, permissions (with "Yes, I understand"),
deactivate, reactivate and "audit this profile" (audit's report over HTTP, faked here)."""

from __future__ import annotations

import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from identity_accounts import events, new_grant, new_vendor_staff  # noqa: E402
from staff_pages_harness import csrf_of, sign_in  # noqa: E402

from identity.adapters.audit_reports import (  # noqa: E402
    AccessReport,
    AccessReportRow,
    AuditRefused,
    AuditUnavailable,
)
from identity.pages.console_audit import AUDIT_REPORTS  # noqa: E402
from identity.service_layer.billing_integrations import set_billing_integration  # noqa: E402
from identity.service_layer.callers import Caller  # noqa: E402
from identity.service_layer.clinics import add_clinic  # noqa: E402
from identity.service_layer.users import change_permissions, get_user  # noqa: E402
from servicekit.auth import check_token  # noqa: E402

pytestmark = pytest.mark.integration
OWNER = "owner@harbourphysio.example"


class FakeAuditReports:
    """Audit's API as the console sees it: records who asked, answers what it is told."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, str]] = []
        self.failure: Exception | None = None

    def user_access_report(self, token: str, user_id: str) -> AccessReport:
        self._ask(token, user_id)
        return AccessReport(user_id, 7, (
            AccessReportRow("patient-aaa", 5, "2026-01-02T10:00:00+00:00", None),
            AccessReportRow("patient-bbb", 2, None, None)), {"viewed": 7}, None, None)

    def user_access_report_csv(self, token: str, user_id: str) -> bytes:
        self._ask(token, user_id)
        return b"patient_id,records\r\npatient-aaa,5\r\npatient-bbb,2\r\n"

    def _ask(self, token: str, user_id: str) -> None:
        if self.failure is not None:
            raise self.failure
        self.asked.append((token, user_id))


@pytest.fixture
def audit(app) -> FakeAuditReports:
    fake = FakeAuditReports()
    app.extensions[AUDIT_REPORTS] = fake
    return fake


@pytest.fixture
def owner(app, practice):
    browser = app.test_client()
    assert sign_in(browser, OWNER).status_code == 302
    return browser


def text(response) -> str:
    return response.get_data(as_text=True)


def post_form(browser, page: str, action: str, **fields):
    """Open ``page`` and post one of its forms to ``action`` with its CSRF token."""
    opened = browser.get(page)
    assert opened.status_code == 200, text(opened)
    return browser.post(action, data={"csrf_token": csrf_of(opened), **fields})


def user_view(ident, practice, user_id: str):
    return get_user(ident.uow(), Caller(practice.owner_id, practice.id), user_id, ident.catalog)


def someone(domain: str = "harbourphysio.example") -> str:
    return f"new-{uuid.uuid4().hex[:10]}@{domain}"


def test_the_console_says_which_profiles_the_practice_recognizes(
        app, ident, practice, owner, add_person):
    stranger = add_person(practice, "stranger", "PT", "mallory@elsewhere.example")
    support = new_vendor_staff(ident, f"support-{uuid.uuid4().hex[:6]}")
    admin = new_vendor_staff(ident, f"admin-{uuid.uuid4().hex[:6]}", support_admin=True)
    new_grant(ident, admin, support, practice.id, purpose="Ticket 4411: fix a user type")

    page = owner.get("/app/users")

    assert page.status_code == 200 and page.mimetype == "text/html"
    body = text(page)
    assert 'id="unrecognized-warning"' in body
    assert f'id="user-{stranger}" data-kind="unrecognized"\n      class="flagged"' in body
    assert "The domain elsewhere.example is not one your practice recognizes" in body
    assert f'id="user-{practice.automation_id}" data-kind="vendor_automation"' in body
    assert "Clinic Platform&#39;s automation profile" in body
    assert f'id="user-{support}" data-kind="vendor_staff"' in body
    assert "with access for: Ticket 4411: fix a user type (until" in body
    assert f'id="user-{practice.users["therapist"]}" data-kind="practice_staff"' in body
    assert "recognized domain harbourphysio.example" in body


def test_only_user_managers_open_the_console(app, practice):
    anonymous = app.test_client().get("/app/users")
    assert anonymous.status_code == 302 and "/app/login" in anonymous.headers["Location"]

    therapist = app.test_client()
    sign_in(therapist, "therapist@harbourphysio.example")
    for path in ("/app/users", "/app/users/new", f"/app/users/{practice.owner_id}",
                 f"/app/users/{practice.owner_id}/audit"):
        refused = therapist.get(path)
        assert refused.status_code == 403 and refused.mimetype == "text/html", path
        assert "User Manager" in text(refused)
    home = therapist.get("/app/home")
    assert 'id="nav-users"' not in text(home)


def test_a_form_without_its_csrf_token_changes_nothing(ident, practice, owner):
    assistant = practice.users["assistant"]
    refused = owner.post(f"/app/users/{assistant}/deactivate", data={})
    assert refused.status_code == 400
    assert user_view(ident, practice, assistant).user.active


def test_inviting_an_assistant_with_a_supervisor_mails_the_invitation(
        ident, practice, owner, mail_sink):
    email = someone()
    form = owner.get("/app/users/new")
    assert '<option value="PT" selected>' in text(form)  # seeds/000: the type defaults to PT

    sent = post_form(owner, "/app/users/new", "/app/users/new", how="invite",
                     full_name="Pat Aide", email=email, user_type="PTA",
                     practice_role="practitioner", clinical_role="other",
                     default_clinic_id=practice.clinic_id,
                     supervising_therapist_id=practice.users["therapist"])

    assert sent.status_code == 302 and sent.headers["Location"].endswith("/app/users")
    assert f"Invitation sent to {email}" in text(owner.get("/app/users"))
    assert "/app/accept-invitation?token=" in mail_sink.to(email)[-1].get_content()
    [invited] = [e for e in events(ident, "identity.invitation.sent")
                 if e["data"]["email"] == email]
    assert invited["data"]["user_type"] == "PTA"
    assert invited["data"]["supervising_therapist_id"] == practice.users["therapist"]


def test_adding_someone_now_gives_them_the_get_started_mail(ident, practice, owner, mail_sink):
    email = someone()
    added = post_form(owner, "/app/users/new", "/app/users/new", how="add",
                      full_name="Robin Front", email=email, user_type="Front Office",
                      default_clinic_id=practice.clinic_id)
    assert added.status_code == 302
    assert "/app/get-started?token=" in mail_sink.to(email)[-1].get_content()
    listed = text(owner.get("/app/users"))
    assert "Robin Front" in listed and "got the mail to get started" in listed


@pytest.mark.parametrize(("fields", "status", "message"), [
    ({"full_name": "", "email": "x@harbourphysio.example"}, 422, "name"),
    ({"full_name": "Twin", "email": "therapist@harbourphysio.example", "how": "add",
      "user_type": "PT"}, 409, "already has this email address"),
    ({"full_name": "Aide", "email": "aide@harbourphysio.example", "user_type": "PT",
      "supervising_therapist_id": "no-such-user"}, 422, "supervising therapist"),
    ({"full_name": "Desk", "email": "desk@harbourphysio.example", "how": "invite",
      "practice_role": "front_desk", "clinical_role": "other"}, 422, "Only practitioners"),
])
def test_bad_input_re_renders_the_form_with_a_message(practice, owner, fields, status, message):
    sent = post_form(owner, "/app/users/new", "/app/users/new", **{
        "how": "invite", "practice_role": "practitioner", "clinical_role": "other",
        "default_clinic_id": practice.clinic_id, **fields})
    assert sent.status_code == status, text(sent)
    assert 'id="new-user-form"' in text(sent) and message in text(sent)
    assert 'role="alert"' in text(sent)


def test_editing_moves_an_assistant_to_another_clinic_and_supervisor(
        ident, practice, owner, add_person):
    assistant = practice.users["assistant"]
    second = add_person(practice, "second therapist", "PT", "pt2@harbourphysio.example")
    north = add_clinic(ident.uow(), Caller(practice.owner_id, practice.id), {"name": "North"},
                       catalog=ident.catalog, now=datetime.now(UTC))
    page = f"/app/users/{assistant}"

    saved = post_form(owner, page, f"{page}/edit", full_name="Assistant Renamed",
                      clinic_ids=[practice.clinic_id, north.id], default_clinic_id=north.id,
                      supervising_therapist_id=second, practice_role="front_desk",
                      permission_level="user")

    assert saved.status_code == 302, text(saved)
    view = user_view(ident, practice, assistant)
    assert view.user.full_name == "Assistant Renamed"
    assert set(view.clinic_ids) == {practice.clinic_id, north.id}
    assert view.user.default_clinic_id == north.id and view.supervising_therapist_id == second
    shown = text(owner.get(page))
    assert "North (default)" in shown and "Second Therapist" in shown


def test_an_edit_the_rules_refuse_re_renders_the_profile_and_changes_nothing(
        ident, practice, owner):
    assistant = practice.users["assistant"]
    page = f"/app/users/{assistant}"
    refused = post_form(owner, page, f"{page}/edit", full_name="  ",
                        clinic_ids=[practice.clinic_id], default_clinic_id=practice.clinic_id,
                        practice_role="front_desk", permission_level="user")
    assert refused.status_code == 422 and "Enter the person" in text(refused)
    assert 'id="edit-form"' in text(refused)
    assert user_view(ident, practice, assistant).user.full_name == "Assistant"


def test_finish_notes_for_an_assistant_asks_yes_i_understand_with_the_billing_warning(
        ident, practice, owner):
    set_billing_integration(ident.uow(), Caller(practice.owner_id, practice.id),
                            billing_integration="Therabill", provider_ids=[],
                            catalog=ident.catalog, now=datetime.now(UTC))
    assistant = practice.users["assistant"]
    page = f"/app/users/{assistant}"
    held = sorted(user_view(ident, practice, assistant).permissions)

    asked = post_form(owner, page, f"{page}/permissions",
                      permissions=[*held, "finish_notes"])

    assert asked.status_code == 409
    body = text(asked)
    assert 'value="Yes, I understand">Yes, I understand</button>' in body
    assert "must be a provider (a paid licence) in Therabill" in body
    assert "finish_notes" not in user_view(ident, practice, assistant).permissions

    confirmed = owner.post(f"{page}/permissions", data={
        "csrf_token": csrf_of(asked), "permissions": [*held, "finish_notes"],
        "acknowledge": "Yes, I understand"})
    assert confirmed.status_code == 302
    assert "finish_notes" in user_view(ident, practice, assistant).permissions
    assert "not a provider there yet" in text(owner.get(page))


def test_a_manager_cannot_deactivate_themselves_nor_drop_the_last_manage_users(
        ident, practice, owner):
    page = f"/app/users/{practice.owner_id}"
    refused = post_form(owner, page, f"{page}/deactivate")
    assert refused.status_code == 403 and 'id="deactivate-form"' in text(refused)
    assert "Ask another Admin" in text(refused) and 'role="alert"' in text(refused)
    assert user_view(ident, practice, practice.owner_id).user.active

    held = user_view(ident, practice, practice.owner_id).permissions
    kept = sorted(held - {"manage_users"})
    last = post_form(owner, page, f"{page}/permissions", permissions=kept)
    assert last.status_code == 409 and "last active User Manager" in text(last)
    assert "manage_users" in user_view(ident, practice, practice.owner_id).permissions


def test_deactivate_then_reactivate(ident, practice, owner):
    clerk = practice.users["clerical"]
    page = f"/app/users/{clerk}"
    assert post_form(owner, page, f"{page}/deactivate").status_code == 302
    assert not user_view(ident, practice, clerk).user.active
    assert 'id="reactivate-form"' in text(owner.get(page))
    assert post_form(owner, page, f"{page}/reactivate").status_code == 302
    assert user_view(ident, practice, clerk).user.active


def test_another_practices_user_is_not_found(owner, new_practice):
    other = new_practice("Bayside Rehab", "owner@bayside.example")
    for path in (f"/app/users/{other.owner_id}", f"/app/users/{other.owner_id}/audit"):
        missing = owner.get(path)
        assert missing.status_code == 404 and missing.mimetype == "text/html"


def test_audit_this_profile_reads_audits_report_with_the_managers_own_token(
        app, practice, owner, audit, add_person):
    stranger = add_person(practice, "stranger", "PT", "mallory@elsewhere.example")

    page = owner.get(f"/app/users/{stranger}/audit")

    assert page.status_code == 200, text(page)
    body = text(page)
    assert '<strong id="patient-count">2</strong>' in body
    assert '<strong id="record-count">7</strong>' in body
    assert "patient-aaa" in body and "disclose it to the Department of Health" in body
    [(token, asked_for)] = audit.asked
    with app.app_context():
        assert asked_for == stranger and check_token(token).user_id == practice.owner_id

    csv = owner.get(f"/app/users/{stranger}/audit.csv")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    assert "attachment" in csv.headers["Content-Disposition"]
    assert b"patient-aaa,5" in csv.data


def test_a_manager_without_view_audit_is_told_so(ident, practice, audit, add_person, app):
    manager = add_person(practice, "second manager", "PT", "manager2@harbourphysio.example")
    change_permissions(ident.uow(), Caller(practice.owner_id, practice.id), manager,
                       grant=["manage_users"], revoke=[], acknowledged=False,
                       catalog=ident.catalog, now=datetime.now(UTC))
    browser = app.test_client()
    sign_in(browser, "manager2@harbourphysio.example")

    page = browser.get(f"/app/users/{practice.users['therapist']}/audit")

    assert page.status_code == 403 and "View the audit record" in text(page)
    assert audit.asked == []


@pytest.mark.parametrize(("failure", "status", "message"), [
    (AuditUnavailable("The audit record cannot be read right now; try again in a few "
                      "minutes."), 503, "try again in a few minutes"),
    (AuditRefused(403, "permission_required", "no"), 403, "View the audit record"),
    (AuditRefused(422, "invalid_window", "The window must end after it starts."), 422,
     "The window must end after it starts."),
])
def test_audits_refusal_or_outage_is_a_page_that_says_so(practice, owner, audit, failure,
                                                          status, message):
    audit.failure = failure
    for path in ("audit", "audit.csv"):
        page = owner.get(f"/app/users/{practice.users['therapist']}/{path}")
        assert page.status_code == status and page.mimetype == "text/html"
        assert message in text(page)

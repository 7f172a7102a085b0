"""Every mail the platform sends that asks a person to act links to a page that works.

The real identity, docportal and notes apps (served by werkzeug on free ports) stand behind
the real nginx on the rendered gateway template. Each mail is sent by its real flow (invite,
add a user, forgot password as staff and as a recipient, share documents, a treatment plan
sent to a patient) into the SMTP sink; every link in it is opened through the gateway and must
answer 200 with an HTML page.

The mailers are enumerated: every public method of a mailer class that sends or composes a
mail must appear in MAIL_FLOWS, so a new mail without a flow here fails this test.
"""

from __future__ import annotations

import inspect
import re
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from io import BytesIO
from pathlib import Path

import pytest
import requests
from werkzeug.serving import make_server

sys.path.insert(0, str(Path(__file__).parent))
REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "services" / "docportal" / "tests" / "integration"))
sys.path.insert(0, str(REPO / "tests" / "security"))
from docportal_harness import PDF, bearer  # noqa: E402
from docportal_harness import make_app as make_docportal_app  # noqa: E402
from test_gateway_harness import free_port, gateway_values, running_gateway  # noqa: E402

from docportal.adapters import mailer as docportal_mail  # noqa: E402
from docportal.spec import SPEC as DOCPORTAL  # noqa: E402
from identity.adapters import activity_mail  # noqa: E402
from identity.adapters import mail as identity_mail  # noqa: E402
from identity.adapters.signing_keys import new_private_key_pem  # noqa: E402
from identity.app import create_app as create_identity_app  # noqa: E402
from identity.service_layer.activity_events import record_activity  # noqa: E402
from identity.service_layer.digests import send_due_digests  # noqa: E402
from identity.service_layer.notification_delivery import deliver_notifications  # noqa: E402
from identity.service_layer.practices import create_practice  # noqa: E402
from identity.spec import SPEC as IDENTITY  # noqa: E402
from notes.adapters import plan_mail as notes_mail  # noqa: E402
from notes.adapters.plan_mail import SmtpTreatmentPlanMailer  # noqa: E402
from servicekit.messaging.envelope import Subject, new_event  # noqa: E402
from servicekit.migrations import upgrade  # noqa: E402
from servicekit.totp_wallet import sign_in_through  # noqa: E402

pytestmark = pytest.mark.integration
LINK = re.compile(r"https?://\S+")
OWNER, PASSWORD = "owner@harbourphysio.example", "correct horse battery staple"

# Each mail a mailer class can send or compose -> the flow below that makes it go out.
MAIL_FLOWS: dict[str, str] = {
    "SmtpIdentityMailer.send_invitation": "invite",
    "SmtpIdentityMailer.invitation_message": "invite",
    "SmtpIdentityMailer.send_password_reset": "staff_reset",
    "SmtpIdentityMailer.reset_message": "staff_reset",  # and recipient_reset
    "SmtpIdentityMailer.send_get_started": "add_user",
    "SmtpIdentityMailer.get_started_message": "add_user",
    "SmtpIdentityMailer.send": "invite",  # and every mail identity's outbox hands back
    "SmtpShareMailer.share_link_message": "share",
    "SmtpShareMailer.send": "share",  # every mail docportal's outbox hands back
    "share_message": "share",
    "SmtpTreatmentPlanMailer.send_plan_link": "treatment_plan",
    "SmtpTreatmentPlanMailer.plan_link_message": "treatment_plan",
    "SmtpTreatmentPlanMailer.send": "treatment_plan",
    "plan_link_message": "treatment_plan",
    "SmtpActivityMailer.send_notification": "plan_notification",
    "SmtpActivityMailer.notification_message": "plan_notification",
    "SmtpActivityMailer.send_digest": "digest",
    "SmtpActivityMailer.digest_message": "digest",
    "SmtpActivityMailer.send": "plan_notification",  # and the digests
}


def mail_methods() -> set[str]:
    """Every public callable that sends or composes a mail, in every mailer module."""
    found = set()
    for module in (identity_mail, activity_mail, docportal_mail, notes_mail):
        for name, member in vars(module).items():
            if inspect.isclass(member) and member.__module__ == module.__name__ \
                    and name.startswith("Smtp"):
                found |= {f"{name}.{method}" for method, _ in inspect.getmembers(
                    member, inspect.isfunction) if not method.startswith("_")}
            elif inspect.isfunction(member) and member.__module__ == module.__name__ \
                    and name.endswith("_message"):
                found.add(name)
    return found


def test_every_mail_the_platform_sends_has_a_flow_here():
    assert mail_methods() <= set(MAIL_FLOWS), (
        "a new mail: add its flow to MAIL_FLOWS and to the walk below")


@contextmanager
def served(app) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


@pytest.fixture
def platform(tmp_path, mail_sink, seaweedfs):
    """identity, docportal and notes behind the gateway; yields (gateway URL, identity,
    docportal, notes)."""
    listen = f"127.0.0.1:{free_port()}"
    gateway = f"http://{listen}"
    identity_db = f"sqlite:///{tmp_path / 'identity.db'}"
    upgrade(IDENTITY.migrations_dir, identity_db)
    identity = create_identity_app(IDENTITY.load_config(
        local_dir=tmp_path, database_url=identity_db, bus_url="memory://",
        jwt_private_keys=new_private_key_pem(), smtp_url=mail_sink.url,
        staff_app_url=f"{gateway}/app", portal_base_url=f"{gateway}/portal"))
    docportal = make_docportal_app(DOCPORTAL.load_config(
        local_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'docportal.db'}",
        bus_url="memory://", s3_endpoint_url=seaweedfs.endpoint_url, s3_bucket=seaweedfs.bucket,
        s3_access_key=seaweedfs.access_key, s3_secret_key=seaweedfs.secret_key,
        smtp_url=mail_sink.url, portal_base_url=f"{gateway}/portal"))
    notes = plan_mailing_notes(tmp_path, mail_sink.url, f"{gateway}/plan")
    with served(identity) as identity_at, served(docportal) as docportal_at, \
            served(notes) as notes_at:
        values = gateway_values(listen, docportal_at, f"127.0.0.1:{free_port()}",
                                IDENTITY_UPSTREAM=identity_at, NOTES_UPSTREAM=notes_at)
        with running_gateway(tmp_path / "nginx", values) as url:
            assert url == gateway
            yield gateway, identity, docportal, notes
    for app in (identity, docportal, notes):
        app.extensions["servicekit.runtime"].close()


def plan_mailing_notes(tmp_path: Path, smtp_url: str, plan_base_url: str):
    """notes (the security tests' app and key) mailing its treatment plans to the sink."""
    from dataclasses import replace

    import security_apps

    from notes.service_layer.plan_sending import LinkSettings

    app = security_apps.notes_app(f"sqlite:///{tmp_path / 'notes.db'}", tmp_path / "notes")
    config = app.extensions["notes"].config
    app.extensions["notes"] = replace(
        app.extensions["notes"], plan_mailer=SmtpTreatmentPlanMailer(smtp_url, config.mail_from),
        plan_links=LinkSettings(plan_base_url, config.plan_link_days))
    return app


def send_treatment_plan(notes) -> str:
    """A dental practice mails a patient their treatment plan; the patient's address."""
    import security_apps

    client = notes.test_client()
    practice = security_apps.notes_practice(notes, "Harbour Dental")
    patient = security_apps.plan_patient(client, practice, "Pat")
    security_apps.treatment_plan(client, practice, patient, send=True)
    return client.get(f"/patients/{patient}", headers=practice.headers()).get_json()["email"]


def someone(domain: str = "harbourphysio.example") -> str:
    return f"person-{uuid.uuid4().hex[:10]}@{domain}"


def invite(identity, admin: dict[str, str]) -> str:
    email = someone()
    response = identity.test_client().post("/invitations", headers=admin, json={
        "full_name": "Sam Lee", "email": email, "practice_role": "front_desk",
        "user_type": "Front Office"})
    assert response.status_code == 201, response.get_json()
    return email


def add_user(identity, admin: dict[str, str]) -> str:
    email = someone()
    response = identity.test_client().post("/users", headers=admin, json={
        "email": email, "full_name": "Robin Park", "user_type": "Front Office"})
    assert response.status_code == 201, response.get_json()
    return email


def forgot(identity, email: str, account: str) -> str:
    response = identity.test_client().post("/password/forgot",
                                           json={"email": email, "account": account})
    assert response.status_code == 202
    assert identity.extensions["identity"].after_answer.drain()
    return email


def recipient_reset(identity) -> str:
    from identity_accounts import new_recipient  # identity's own test helper
    email = someone("physicians.example")
    new_recipient(identity.extensions["identity"], email)
    return forgot(identity, email, "recipient")


def share(docportal) -> str:
    email = someone("physicians.example")
    headers = bearer(str(uuid.uuid4()))
    client = docportal.test_client()
    uploaded = client.post("/documents", headers=headers, data={
        "patient_id": str(uuid.uuid4()), "kind": "plan_of_care",
        "file": (BytesIO(PDF), "plan.pdf")}, content_type="multipart/form-data")
    assert uploaded.status_code == 201, uploaded.get_json()
    shared = client.post("/shares", headers=headers, json={
        "document_ids": [uploaded.get_json()["id"]], "recipient_email": email,
        "purpose": "treatment"})
    assert shared.status_code == 201, shared.get_json()
    return email


def activity_mailer(gateway: str, mail_sink) -> activity_mail.SmtpActivityMailer:
    return activity_mail.SmtpActivityMailer(mail_sink.url, "Clinic <no-reply@clinic.example>",
                                            staff_app_url=f"{gateway}/app",
                                            vendor_name="Clinic Platform")


def plan_notification(identity, gateway: str, mail_sink, practice_id: str) -> str:
    """A patient proceeds with a plan (the event notes publishes): the owner is mailed."""
    ident = identity.extensions["identity"]
    event = new_event("notes.treatment_plan.proceeded",
                      subject=Subject("treatment_plan", str(uuid.uuid4())), org_id=practice_id,
                      data={"plan_id": str(uuid.uuid4()), "total_cents": 125000,
                            "currency": "USD", "item_count": 1})
    with ident.uow() as uow:
        record_activity(uow, event)
        uow.commit()
    assert deliver_notifications(ident.uow(), activity_mailer(gateway, mail_sink),
                                 ident.now).sent
    return OWNER


def digest(identity, gateway: str, mail_sink) -> str:
    ident = identity.extensions["identity"]
    assert send_due_digests(ident.uow(), activity_mailer(gateway, mail_sink), ident.catalog,
                            ident.now(), in_course=True).sent
    return OWNER


def test_every_link_in_every_mail_opens_a_page_through_the_gateway(platform, mail_sink):
    gateway, identity, docportal, notes = platform
    sys.path.insert(0, str(REPO / "services" / "identity" / "tests" / "integration"))
    created = create_practice(identity.extensions["identity"].uow(), name="Harbour Physio",
                              owner_email=OWNER, owner_password=PASSWORD, seats=20,
                              catalog=identity.extensions["identity"].catalog,
                              hashing=identity.extensions["identity"].hashing)
    signed = sign_in_through(identity.test_client(), {"email": OWNER, "password": PASSWORD})
    admin = {"Authorization": f"Bearer {signed.get_json()['access_token']}"}
    flows: dict[str, Callable[[], str]] = {
        "invite": lambda: invite(identity, admin),
        "staff_reset": lambda: forgot(identity, OWNER, "staff"),
        "recipient_reset": lambda: recipient_reset(identity),
        "share": lambda: share(docportal),
        "treatment_plan": lambda: send_treatment_plan(notes),
        "plan_notification": lambda: plan_notification(identity, gateway, mail_sink,
                                                       created.practice_id),
        "digest": lambda: digest(identity, gateway, mail_sink),
    }
    if "SmtpIdentityMailer.get_started_message" in mail_methods():
        flows["add_user"] = lambda: add_user(identity, admin)
    assert set(MAIL_FLOWS.values()) - set(flows) <= {"add_user"}
    assert "add_user" in flows  # the get-started mail exists since 0135139

    opened = {}
    for flow, run in flows.items():
        email = run()
        [mail] = mail_sink.to(email)[-1:]
        links = LINK.findall(mail.get_content())
        assert links, f"the {flow} mail links nowhere"
        for link in links:
            assert link.startswith(f"{gateway}/"), link
            page = requests.get(link, timeout=10)
            assert page.status_code == 200, (flow, link, page.status_code, page.text[:300])
            assert page.headers["Content-Type"].startswith("text/html"), (flow, link)
            assert "<form" in page.text, (flow, link)
            opened[flow] = link.removeprefix(gateway).split("?")[0]
    assert opened["invite"] == "/app/accept-invitation"
    assert opened["staff_reset"] == "/app/reset-password"
    assert opened["recipient_reset"] == "/portal/reset-password"
    assert opened["share"].startswith("/portal/s/")
    assert opened["treatment_plan"].startswith("/plan/t/")
    assert opened["plan_notification"] == opened["digest"] == "/app/notifications"
    assert opened.get("add_user", "/app/get-started") == "/app/get-started"

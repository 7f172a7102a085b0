"""Treatment plan tests' helpers: a patient with an address, a plan, the link from its mail."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from notes.adapters.plan_mail import SmtpTreatmentPlanMailer

LINK = re.compile(r"https?://\S+(/plan/t/[A-Za-z0-9_-]+)")
CROWN = {"code": "D2740", "description": "Crown, porcelain", "price_cents": 120050}
FILLING = {"code": "D2391", "description": "Resin filling", "price_cents": 18000, "quantity": 3}


@pytest.fixture
def mailed(app, mail_sink):
    """The app's plan mails go to the SMTP sink (the real mailer, over SMTP)."""
    notes = app.extensions["notes"]
    app.extensions["notes"] = replace(notes, plan_mailer=SmtpTreatmentPlanMailer(
        mail_sink.url, notes.config.mail_from))
    return mail_sink


@pytest.fixture
def patient_email():
    import uuid
    return f"pat-{uuid.uuid4().hex[:8]}@example.org"


@pytest.fixture
def patient(as_, practice, patient_email):
    registered = as_(practice, "manager").post("/patients", json={
        "clinic_id": practice.clinic_id, "first_name": "Zelda", "last_name": "Quorn",
        "date_of_birth": "1980-02-03", "email": patient_email})
    assert registered.status_code == 201, registered.get_json()
    return registered.get_json()["id"]


def new_plan(session, patient_id: str, items=(CROWN, FILLING), **extra) -> dict:
    created = session.post("/treatment-plans", json={
        "patient_id": patient_id, "items": list(items), **extra})
    assert created.status_code == 201, created.get_json()
    return created.get_json()


def sent_link(session, mail_sink, plan_id: str, address: str) -> str:
    """Send the plan; the path of the link in the newest mail to ``address``."""
    answer = session.post(f"/treatment-plans/{plan_id}/send")
    assert answer.status_code == 200, answer.get_json()
    mail = mail_sink.to(address)[-1]
    return LINK.search(mail.get_content()).group(1)

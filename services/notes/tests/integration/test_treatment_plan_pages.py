"""The patient's page from the plan's mail: the address first, then the plan and its total,
then Proceed or Request a payment plan; a link that no longer works says to contact the clinic.
"""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from .plan_fixtures import mailed, new_plan, patient, patient_email, sent_link

pytestmark = pytest.mark.integration
__all__ = ["mailed", "patient", "patient_email"]  # fixtures
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf(page) -> str:
    return CSRF.search(page.get_data(as_text=True)).group(1)


@pytest.fixture
def link(as_, practice, patient, mailed, patient_email):
    plan = new_plan(as_(practice, "manager"), patient)
    return plan["id"], sent_link(as_(practice, "manager"), mailed, plan["id"], patient_email)


def prove(client, path: str, email: str):
    form = client.get(path)
    return client.post(path, data={"email": email, "csrf_token": csrf(form)})


def test_the_link_asks_for_the_address_before_it_shows_anything(client, link):
    _, path = link

    page = client.get(path)

    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert '<label for="email">' in html and "<form" in html
    assert "Crown" not in html and "Zelda" not in html
    cookie = page.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/plan" in cookie
    assert page.headers["Cache-Control"] == "private, no-store"
    assert page.headers["Referrer-Policy"] == "no-referrer"


def test_the_right_address_shows_the_items_and_total_and_records_the_opening(
        client, link, patient_email, outbox):
    plan_id, path = link

    proven = prove(client, path, f"  {patient_email.upper()} ")
    page = client.get(path)

    assert proven.status_code == 303
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "D2740" in html and "Crown, porcelain" in html
    assert '<td id="plan-total" class="number">1,740.50 USD</td>' in html
    assert 'value="proceed"' in html and 'value="payment_plan"' in html
    client.get(path)
    [opened] = outbox("notes.treatment_plan.opened")
    assert opened["data"]["plan_id"] == plan_id and opened["data"]["by"] == "patient"
    assert opened["actor"] is None and opened["data"]["status"] == "opened"


def test_a_wrong_address_is_refused_and_enough_of_them_lock_the_link(client, link):
    _, path = link

    wrong = prove(client, path, "someone@else.example")
    for _ in range(4):
        prove(client, path, "someone@else.example")
    locked = client.get(path)

    assert wrong.status_code == 422
    assert "not the address this link was sent to" in wrong.get_data(as_text=True)
    assert locked.status_code == 410
    assert 'data-code="plan_link_locked"' in locked.get_data(as_text=True)
    assert "Contact the clinic" in locked.get_data(as_text=True)


@pytest.mark.parametrize(("choice", "event", "status"), [
    ("proceed", "notes.treatment_plan.proceeded", "proceeded"),
    ("payment_plan", "notes.treatment_plan.payment_plan_requested", "payment_plan_requested"),
])
def test_the_patient_answers_once_and_the_answer_is_evented(
        client, link, patient_email, outbox, choice, event, status):
    plan_id, path = link
    prove(client, path, patient_email)
    page = client.get(path)

    answered = client.post(f"{path}/answer", data={"choice": choice, "csrf_token": csrf(page)})
    reopened = client.get(path)

    assert answered.status_code == 200
    assert f'data-choice="{choice}"' in answered.get_data(as_text=True)
    [evented] = outbox(event)
    assert evented["data"]["plan_id"] == plan_id and evented["data"]["status"] == status
    assert evented["data"]["total_cents"] == 174050 and evented["data"]["item_count"] == 2
    assert reopened.status_code == 410
    assert 'data-code="plan_link_used"' in reopened.get_data(as_text=True)


def test_staff_accept_the_payment_plan_the_patient_asked_for(
        as_, practice, client, link, patient_email, outbox):
    plan_id, path = link
    prove(client, path, patient_email)
    client.post(f"{path}/answer", data={"choice": "payment_plan",
                                        "csrf_token": csrf(client.get(path))})

    accepted = as_(practice, "manager").post(
        f"/treatment-plans/{plan_id}/accept-payment-plan")

    assert accepted.status_code == 200
    assert accepted.get_json()["status"] == "payment_plan_accepted"
    [event] = outbox("notes.treatment_plan.payment_plan_accepted")
    assert event["actor"]["id"] == practice.users["manager"]


def test_an_answer_without_the_forms_csrf_token_is_refused(client, link, patient_email, outbox):
    _, path = link
    prove(client, path, patient_email)

    refused = client.post(f"{path}/answer", data={"choice": "proceed"})

    assert refused.status_code == 400
    assert outbox("notes.treatment_plan.proceeded") == []


def test_an_answer_from_a_browser_that_did_not_prove_the_address_goes_back_to_the_form(
        app, link, outbox):
    _, path = link
    stranger = app.test_client()
    token = csrf(stranger.get(path))

    answered = stranger.post(f"{path}/answer", data={"choice": "proceed", "csrf_token": token})

    assert answered.status_code == 303
    assert outbox("notes.treatment_plan.proceeded") == []


def test_a_withdrawn_plan_says_the_clinic_withdrew_it(as_, practice, client, link):
    plan_id, path = link
    as_(practice, "manager").post(f"/treatment-plans/{plan_id}/withdraw")

    page = client.get(path)

    assert page.status_code == 410
    assert "The clinic withdrew this plan" in page.get_data(as_text=True)


def test_an_expired_link_says_to_ask_the_clinic_to_send_it_again(
        app, as_, practice, patient, mailed, patient_email, client):
    notes = app.extensions["notes"]
    app.extensions["notes"] = replace(notes, plan_links=replace(notes.plan_links, days=0))
    plan = new_plan(as_(practice, "manager"), patient)
    path = sent_link(as_(practice, "manager"), mailed, plan["id"], patient_email)

    page = client.get(path)

    assert page.status_code == 410
    html = page.get_data(as_text=True)
    assert 'data-code="plan_link_expired"' in html and "send the plan again" in html


def test_an_unknown_link_is_a_page_not_json(client):
    for path in ("/plan/t/" + "x" * 43, "/plan/t/short", "/plan/nothing-here"):
        page = client.get(path)
        assert page.status_code == 404
        assert page.headers["Content-Type"].startswith("text/html")

"""Treatment plans through the staff API: draft, edit, list, send, withdraw, accept a payment
plan; each step evented through the outbox, every refusal saying what to do."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from .plan_fixtures import CROWN, FILLING, mailed, new_plan, patient, patient_email, sent_link

pytestmark = pytest.mark.integration
__all__ = ["mailed", "patient", "patient_email"]  # fixtures

FACTS = {"plan_id", "patient_id", "clinic_id", "practitioner_user_id", "total_cents", "currency",
         "item_count", "status", "by"}


def test_a_draft_totals_its_items_and_names_the_caller_as_practitioner(
        as_, practice, patient, outbox):
    plan = new_plan(as_(practice, "manager"), patient)

    assert plan["status"] == "draft"
    assert plan["total_cents"] == 120050 + 3 * 18000
    assert [i["total_cents"] for i in plan["items"]] == [120050, 54000]
    assert plan["practitioner_user_id"] == practice.users["manager"]
    assert plan["clinic_id"] == practice.clinic_id
    assert plan["currency"] == "USD"
    [created] = outbox("notes.treatment_plan.created")
    assert created["subject"] == {"type": "treatment_plan", "id": plan["id"]}
    assert created["patient_id"] == patient and created["org_id"] == practice.id


def test_the_practitioner_must_be_a_clinician_of_the_practice(as_, practice, patient):
    refused = as_(practice, "manager").post("/treatment-plans", json={
        "patient_id": patient, "practitioner_user_id": practice.users["clerical"],
        "items": [CROWN]})

    assert refused.status_code == 422
    assert refused.get_json()["error"]["code"] == "invalid_treatment_plan"
    assert "practitioner" in refused.get_json()["error"]["message"]


def test_a_draft_is_edited_with_its_version_and_not_once_sent(as_, practice, patient, mailed,
                                                               patient_email):
    manager = as_(practice, "manager")
    plan = new_plan(manager, patient)

    edited = manager.patch(f"/treatment-plans/{plan['id']}", json={
        "version": 1, "items": [FILLING], "currency": "AUD",
        "practitioner_user_id": practice.users["therapist"]})
    stale = manager.patch(f"/treatment-plans/{plan['id']}", json={"version": 1, "items": []})
    sent_link(manager, mailed, plan["id"], patient_email)
    late = manager.patch(f"/treatment-plans/{plan['id']}", json={"version": 3,
                                                                  "items": [CROWN]})

    assert edited.status_code == 200, edited.get_json()
    assert (edited.get_json()["total_cents"], edited.get_json()["currency"]) == (54000, "AUD")
    assert stale.status_code == 409
    assert stale.get_json()["error"]["code"] == "stale_treatment_plan_version"
    assert late.status_code == 409
    assert late.get_json()["error"]["code"] == "treatment_plan_conflict"


def test_sending_mails_the_patient_a_link_and_emits_sent_with_the_plans_facts(
        as_, practice, patient, mailed, patient_email, outbox):
    manager = as_(practice, "manager")
    plan = new_plan(manager, patient)

    answer = manager.post(f"/treatment-plans/{plan['id']}/send")

    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert body["status"] == "sent"
    expires = datetime.fromisoformat(body["link_expires_at"])
    assert timedelta(days=13, hours=23) < expires - datetime.now(UTC) <= timedelta(days=14)
    [mail] = mailed.to(patient_email)
    text = mail.get_content()
    assert "/plan/t/" in text and "Harbour Physio" in mail["Subject"]
    for private in ("Zelda", "Quorn", "Crown", "D2740", "1200.50", "1980"):
        assert private not in text and private not in mail["Subject"]
    [sent] = outbox("notes.treatment_plan.sent")
    assert set(sent["data"]) == FACTS | {"resent", "expires_at"}
    assert sent["data"] == {
        "plan_id": plan["id"], "patient_id": patient, "clinic_id": practice.clinic_id,
        "practitioner_user_id": practice.users["manager"], "total_cents": 174050,
        "currency": "USD", "item_count": 2, "status": "sent", "by": "staff", "resent": False,
        "expires_at": sent["data"]["expires_at"]}
    assert sent["org_id"] == practice.id and sent["actor"]["id"] == practice.users["manager"]
    link = text.split("/plan/t/")[1].split()[0]
    assert link not in str(outbox())  # the token is in the mail alone


def test_sending_again_mails_a_new_link_and_the_old_one_stops_working(
        as_, practice, patient, mailed, patient_email, client, outbox):
    manager = as_(practice, "manager")
    plan = new_plan(manager, patient)
    first = sent_link(manager, mailed, plan["id"], patient_email)

    second = sent_link(manager, mailed, plan["id"], patient_email)

    assert first != second
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200
    assert [e["data"]["resent"] for e in outbox("notes.treatment_plan.sent")] == [False, True]


def test_a_plan_is_not_sent_without_items_or_a_patient_address(as_, practice, mailed):
    manager = as_(practice, "manager")
    no_address = manager.post("/patients", json={
        "clinic_id": practice.clinic_id, "first_name": "No", "last_name": "Mail",
        "date_of_birth": "1990-01-01"}).get_json()["id"]

    empty = manager.post(f"/treatment-plans/{new_plan(manager, no_address, items=())['id']}/send")
    unaddressed = manager.post(f"/treatment-plans/{new_plan(manager, no_address)['id']}/send")

    assert empty.status_code == 422
    assert unaddressed.status_code == 422
    assert unaddressed.get_json()["error"]["details"]["reason"] == "patient_has_no_email"
    assert "add it to their record" in unaddressed.get_json()["error"]["message"]


def test_a_mail_server_that_is_down_delays_the_mail_not_the_plan(
        app, as_, practice, patient, patient_email, dead_smtp_url, mail_sink, outbox):
    from dataclasses import replace

    from notes.adapters.mail_outbox import MAIL_OUTBOX
    from notes.adapters.plan_mail import SmtpTreatmentPlanMailer
    from servicekit.mail_delivery import deliver_due
    notes = app.extensions["notes"]
    app.extensions["notes"] = replace(notes,
                                      plan_mailer=SmtpTreatmentPlanMailer(dead_smtp_url, "x@y"))
    manager = as_(practice, "manager")
    plan = new_plan(manager, patient)

    answer = manager.post(f"/treatment-plans/{plan['id']}/send")

    assert answer.status_code == 200
    assert answer.get_json()["mail_status"] == "pending"
    assert manager.get(f"/treatment-plans/{plan['id']}").get_json()["status"] == "sent"
    assert len(outbox("notes.treatment_plan.sent")) == 1
    assert mail_sink.to(patient_email) == []
    with notes.uow() as uow:  # waiting sealed: neither the patient's address nor the link
        [waiting] = uow.session.execute(MAIL_OUTBOX.table.select()).all()
    assert waiting.message.startswith("sealed.v1:")
    assert patient_email not in waiting.message and "/plan/t/" not in waiting.message
    # The mail server is back: the mail worker's next attempt after the backoff sends it.
    later = datetime.now(UTC) + timedelta(minutes=5)
    done = deliver_due(notes.uow(), MAIL_OUTBOX, SmtpTreatmentPlanMailer(
        mail_sink.url, notes.config.mail_from), lambda: later)
    assert done.sent == 1
    [mail] = mail_sink.to(patient_email)
    assert "/plan/t/" in mail.get_content()


def test_a_plan_that_could_not_be_sent_queues_no_mail(app, as_, practice, patient_email):
    from notes.adapters.mail_outbox import MAIL_OUTBOX
    manager = as_(practice, "manager")
    registered = manager.post("/patients", json={
        "clinic_id": practice.clinic_id, "first_name": "Nemo", "last_name": "Blank",
        "date_of_birth": "1970-01-01"})
    plan = new_plan(manager, registered.get_json()["id"])

    assert manager.post(f"/treatment-plans/{plan['id']}/send").status_code == 422
    with app.extensions["notes"].uow() as uow:
        assert uow.session.execute(MAIL_OUTBOX.table.select()).all() == []


def test_plans_are_listed_per_patient_and_practice_wide_by_status(
        as_, practice, patient, mailed, patient_email, outbox):
    manager = as_(practice, "manager")
    drafted, to_send = new_plan(manager, patient), new_plan(manager, patient)
    sent_link(manager, mailed, to_send["id"], patient_email)

    mine = manager.get(f"/patients/{patient}/treatment-plans").get_json()
    sent = manager.get("/treatment-plans?status=sent").get_json()
    drafts = manager.get("/treatment-plans?status=draft").get_json()
    wrong = manager.get("/treatment-plans?status=lost")

    assert {p["id"] for p in mine["items"]} == {drafted["id"], to_send["id"]}
    assert [p["id"] for p in sent["items"]] == [to_send["id"]]
    assert [p["id"] for p in drafts["items"]] == [drafted["id"]]
    assert wrong.status_code == 422
    viewed = [e for e in outbox("notes.patient.viewed")
              if e["data"].get("section") == "treatment_plans"]
    assert len(viewed) == 3 and all(e["patient_id"] == patient for e in viewed)


def test_withdrawing_ends_the_plan_and_says_what_it_was(as_, practice, patient, outbox):
    manager = as_(practice, "manager")
    plan = new_plan(manager, patient)

    withdrawn = manager.post(f"/treatment-plans/{plan['id']}/withdraw")
    again = manager.post(f"/treatment-plans/{plan['id']}/withdraw")

    assert withdrawn.get_json()["status"] == "withdrawn"
    assert again.status_code == 409
    [event] = outbox("notes.treatment_plan.withdrawn")
    assert event["data"]["previous_status"] == "draft"


def test_a_payment_plan_is_accepted_only_once_the_patient_asked(as_, practice, patient):
    manager = as_(practice, "manager")
    plan = new_plan(manager, patient)

    refused = manager.post(f"/treatment-plans/{plan['id']}/accept-payment-plan")

    assert refused.status_code == 409
    assert refused.get_json()["error"]["details"]["status"] == "draft"


def test_writing_a_plan_needs_share_documents_and_reading_needs_view_patients(
        as_, practice, patient):
    plan = new_plan(as_(practice, "manager"), patient)

    clerk = as_(practice, "clerical")  # Front Office here: view and edit patients only
    assert clerk.post("/treatment-plans", json={"patient_id": patient}).status_code == 403
    assert clerk.post(f"/treatment-plans/{plan['id']}/withdraw").status_code == 403
    assert clerk.get(f"/treatment-plans/{plan['id']}").status_code == 200
    blind = as_(practice, "manager", permissions=["share_documents"])
    assert blind.get(f"/treatment-plans/{plan['id']}").status_code == 403
    receipt = blind.post(f"/treatment-plans/{plan['id']}/withdraw").get_json()
    assert set(receipt) <= {"id", "version", "status", "created_at", "updated_at"}


def test_another_practices_plan_is_not_found(as_, practice, new_practice, patient):
    plan = new_plan(as_(practice, "manager"), patient)
    other = new_practice("Bayside Dental", model="dental")

    for call in (lambda s: s.get(f"/treatment-plans/{plan['id']}"),
                 lambda s: s.post(f"/treatment-plans/{plan['id']}/withdraw"),
                 lambda s: s.post("/treatment-plans", json={"patient_id": patient})):
        assert call(as_(other, "manager")).status_code == 404
    assert as_(other, "manager").get("/treatment-plans").get_json()["total"] == 0

"""A sender lists their shares: status, recipient, views; by patient, by status, a page at a time.

Real database (SQLite and PostgreSQL), real SeaweedFS and SMTP sink.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from docportal_harness import STAFF_PERMS, Practice, bearer, outbox_events, uploaded
from sqlalchemy import update

from docportal.adapters.repository import ShareRepository
from docportal.adapters.tables import shares
from docportal.domain.activity import ActivityKind

pytestmark = pytest.mark.integration

MANAGER_PERMS = (*STAFF_PERMS, "manage_users")


def recipient() -> str:
    return f"dr.list+{uuid.uuid4().hex[:8]}@example.org"


def colleague(practice: Practice, perms: tuple[str, ...] = STAFF_PERMS,
              user_id: str | None = None) -> Practice:
    """Another staff member of the same practice (their own user id and token)."""
    return Practice(practice.org_id, practice.patient_id,
                    bearer(practice.org_id, perms=perms, user_id=user_id or str(uuid.uuid4())))


def shared(client, sender: Practice, *, patient_id: str | None = None,
           email: str | None = None) -> dict:
    document = uploaded(client, sender, patient_id=patient_id)
    response = client.post("/shares", headers=sender.headers, json={
        "document_ids": [document["id"]], "recipient_email": email or recipient(),
        "purpose": "treatment", "message": "For Jane Doe"})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def listed(client, who: Practice, query: str = "", status: int = 200) -> dict:
    response = client.get(f"/shares{query}", headers=who.headers)
    assert response.status_code == status, response.get_json()
    return response.get_json()


def opened(app, org_id: str, share_id: str, *, views: int, downloads: int) -> None:
    """The recipient claimed the share and viewed and downloaded it (as the portal records)."""
    docportal = app.extensions["docportal"]
    now = docportal.now()
    with docportal.uow() as uow:
        repository = ShareRepository(uow.session)
        share = repository.get(org_id, share_id)
        share.claim("acct-1", now)
        repository.save_state(share)
        for kind, count in ((ActivityKind.VIEWED, views), (ActivityKind.DOWNLOADED, downloads)):
            for _ in range(count):
                repository.add_activity(share.record(kind, "acct-1", "browser", now))
        uow.commit()


def sent_hours_ago(app, share_id: str, hours: int) -> None:
    runtime = app.extensions["servicekit.runtime"]
    with runtime.engine.begin() as conn:
        conn.execute(update(shares).where(shares.c.id == share_id).values(
            sent_at=app.extensions["docportal"].now() - timedelta(hours=hours)))


def test_a_sender_lists_their_shares_with_status_recipient_and_views(app, client, practice):
    claimed, revoked, expired, fresh = (shared(client, practice) for _ in range(4))
    opened(app, practice.org_id, claimed["id"], views=2, downloads=1)
    assert client.post(f"/shares/{revoked['id']}/revoke",
                       headers=practice.headers).status_code == 200
    sent_hours_ago(app, expired["id"], 25)
    someone_else = shared(client, colleague(practice))

    lines = {line["id"]: line for line in listed(client, practice)["shares"]}

    assert set(lines) == {claimed["id"], revoked["id"], expired["id"], fresh["id"]}
    assert someone_else["id"] not in lines
    assert {k: lines[k]["status"] for k in lines} == {
        claimed["id"]: "claimed", revoked["id"]: "revoked", expired["id"]: "expired",
        fresh["id"]: "sent"}
    line = lines[claimed["id"]]
    assert (line["views"], line["downloads"]) == (2, 1)
    assert line["claimed_at"] and line["last_opened_at"] and line["claim_deadline"] is None
    assert line["recipient_email"] == claimed["recipient_email"]
    assert line["patient_id"] == practice.patient_id and line["mail_status"] == "sent"
    assert lines[fresh["id"]]["views"] == 0 and lines[fresh["id"]]["last_opened_at"] is None
    assert lines[revoked["id"]]["revoked_at"] is not None
    assert "message" not in line  # the sender's free text stays on GET /shares/{id}


def test_the_list_is_newest_first_a_page_at_a_time(app, client, practice):
    made = [shared(client, practice)["id"] for _ in range(5)]
    for hours, share_id in enumerate(reversed(made)):
        sent_hours_ago(app, share_id, hours + 1)  # made[-1] newest

    seen, cursor, pages = [], None, 0
    while True:
        page = listed(client, practice, f"?limit=2{f'&cursor={cursor}' if cursor else ''}")
        seen += [line["id"] for line in page["shares"]]
        pages, cursor = pages + 1, page["next_cursor"]
        if cursor is None:
            break

    assert seen == list(reversed(made))
    assert pages == 3


def test_shares_sent_at_the_same_moment_are_each_listed_once(app, client, practice):
    made = [shared(client, practice)["id"] for _ in range(3)]
    moment = app.extensions["docportal"].now() - timedelta(hours=1)
    with app.extensions["servicekit.runtime"].engine.begin() as conn:
        conn.execute(update(shares).where(shares.c.id.in_(made)).values(sent_at=moment))

    first = listed(client, practice, "?limit=1")
    second = listed(client, practice, f"?limit=1&cursor={first['next_cursor']}")
    third = listed(client, practice, f"?limit=1&cursor={second['next_cursor']}")

    seen = [page["shares"][0]["id"] for page in (first, second, third)]
    assert seen == sorted(made, reverse=True)
    assert third["next_cursor"] is None


def test_the_list_is_filtered_by_patient_and_by_status(app, client, practice):
    other_patient = f"patient-{uuid.uuid4().hex[:8]}"
    mine = shared(client, practice)
    theirs = shared(client, practice, patient_id=other_patient)
    revoked = shared(client, practice, patient_id=other_patient)
    client.post(f"/shares/{revoked['id']}/revoke", headers=practice.headers)

    by_patient = listed(client, practice, f"?patient_id={other_patient}")["shares"]
    assert {line["id"] for line in by_patient} == {theirs["id"], revoked["id"]}
    assert [line["id"] for line in listed(client, practice, "?status=revoked")["shares"]] == [
        revoked["id"]]
    sent = listed(client, practice, f"?status=sent&patient_id={practice.patient_id}")
    assert [line["id"] for line in sent["shares"]] == [mine["id"]]


def test_each_status_filter_matches_the_status_shown(app, client, practice):
    claimed, revoked, expired, _fresh = (shared(client, practice) for _ in range(4))
    opened(app, practice.org_id, claimed["id"], views=1, downloads=0)
    client.post(f"/shares/{revoked['id']}/revoke", headers=practice.headers)
    sent_hours_ago(app, expired["id"], 25)
    superseded = shared(client, practice)
    reshared = client.post(f"/shares/{superseded['id']}/reshare", headers=practice.headers,
                           json={})
    assert reshared.status_code == 201

    every = listed(client, practice)["shares"]
    for status in ("sent", "claimed", "expired", "revoked", "superseded"):
        filtered = listed(client, practice, f"?status={status}")["shares"]
        assert {line["id"] for line in filtered} == {
            line["id"] for line in every if line["status"] == status}, status
        assert filtered, status


def test_listing_records_an_access_to_each_patient_on_the_page(app, client, practice):
    other_patient = f"patient-{uuid.uuid4().hex[:8]}"
    first, second = shared(client, practice), shared(client, practice)
    third = shared(client, practice, patient_id=other_patient)

    listed(client, practice)

    events = {e["patient_id"]: e for e in outbox_events(app, "docportal.shares.viewed")}
    assert set(events) == {practice.patient_id, other_patient}
    mine = events[practice.patient_id]
    assert set(mine["data"]["share_ids"]) == {first["id"], second["id"]}
    assert mine["data"]["record_count"] == 2
    assert events[other_patient]["data"]["share_ids"] == [third["id"]]
    assert mine["subject"] == {"type": "patient", "id": practice.patient_id}


def test_a_user_manager_lists_a_colleagues_shares_or_the_whole_practices(
        app, client, practice):
    leaving_id = str(uuid.uuid4())
    theirs = shared(client, colleague(practice, user_id=leaving_id))
    mine = shared(client, practice)
    manager = colleague(practice, MANAGER_PERMS)

    of_colleague = listed(client, manager, f"?sender={leaving_id}")
    assert [line["id"] for line in of_colleague["shares"]] == [theirs["id"]]
    assert of_colleague["shares"][0]["shared_by"] == leaving_id
    everyone = listed(client, manager, "?sender=all")
    assert {line["id"] for line in everyone["shares"]} >= {theirs["id"], mine["id"]}
    assert listed(client, manager)["shares"] == []  # their own: none sent


def test_only_a_user_manager_lists_other_staff_members_shares(app, client, practice):
    shared(client, colleague(practice))
    before = len(outbox_events(app, "docportal.shares.viewed"))
    for sender in ("all", str(uuid.uuid4())):
        refused = listed(client, practice, f"?sender={sender}", status=403)
        assert refused["error"]["code"] == "share_list_refused"
        assert "leave out sender" in refused["error"]["message"]
    assert len(outbox_events(app, "docportal.shares.viewed")) == before


def test_another_practice_lists_none_of_the_shares(app, client, practice, other_practice):
    shared(client, practice)
    manager = colleague(other_practice, MANAGER_PERMS)
    assert listed(client, manager, "?sender=all")["shares"] == []
    assert listed(client, manager, f"?patient_id={practice.patient_id}&sender=all") == {
        "shares": [], "next_cursor": None}


def test_a_forged_cursor_is_refused_not_a_server_error(client, practice):
    for cursor in ("nonsense!", "MjAyNS0wMy0wM3w", "A" * 200):
        refused = listed(client, practice, f"?cursor={cursor}", status=400)
        assert refused["error"]["code"] == "invalid_cursor"


def test_the_list_needs_share_documents_and_view_patients(client, practice):
    for perms in (("view_patients",), ("share_documents",)):
        response = client.get("/shares", headers=bearer(practice.org_id, perms=perms))
        assert response.status_code == 403


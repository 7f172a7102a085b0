"""Every alert is reachable: GET /alerts pages newest first by (raised_at, id) with the shared
cursor and Link header, past the newest 1,000 it used to stop at, and alerts raised at the
same instant are neither skipped nor shown twice."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from audit_harness import new_id

from audit.adapters.alert_store import AlertStore

pytestmark = pytest.mark.integration
LINK_NEXT = re.compile(r'<([^>]+)>;\s*rel="next"')


def store_alerts(audit, org: str, count: int) -> list[str]:
    """``count`` open alerts of the practice, three at each instant; their ids newest first
    (then by id)."""
    start = datetime(2026, 11, 1, tzinfo=UTC)
    stored = [(start + timedelta(seconds=n // 3), new_id()) for n in range(count)]
    with audit.uow() as uow:
        store = AlertStore(uow.session)
        for n, (raised_at, alert_id) in enumerate(stored):
            store.add(id=alert_id, org_id=org, profile_id=new_id(), subject_key=f"s-{n}",
                      reason="unrecognized_domain", severity="high", message="m", note="n",
                      event_id=new_id(), status="open", raised_at=raised_at)
        uow.commit()
    stored.sort(key=lambda alert: alert[1])
    stored.sort(key=lambda alert: alert[0], reverse=True)
    return [alert_id for _, alert_id in stored]


def walk(client, headers, url: str) -> tuple[list[str], int]:
    seen, pages = [], 0
    while url:
        answer = client.get(url, headers=headers)
        assert answer.status_code == 200, answer.get_json()
        body = answer.get_json()
        seen += [alert["id"] for alert in body["alerts"]]
        pages += 1
        link = LINK_NEXT.search(answer.headers.get("Link", ""))
        assert (link is None) == (body["next_cursor"] is None)
        url = link.group(1) if link else None
    return seen, pages


def test_every_alert_is_reachable_past_the_newest_thousand(app_client, audit):
    client, bearer = app_client
    org = new_id()
    newest_first = store_alerts(audit, org, 1003)
    seen, pages = walk(client, bearer(org), "/alerts?limit=1000")
    assert pages == 2
    assert seen == newest_first and len(set(seen)) == 1003


def test_alerts_raised_at_the_same_instant_page_one_at_a_time(app_client, audit):
    client, bearer = app_client
    org = new_id()
    newest_first = store_alerts(audit, org, 7)
    seen, pages = walk(client, bearer(org), "/alerts?limit=1&status=open")
    assert seen == newest_first and pages == 7


def test_next_cursor_as_cursor_gives_the_next_page(app_client, audit):
    client, bearer = app_client
    org = new_id()
    newest_first = store_alerts(audit, org, 5)
    first = client.get("/alerts?limit=2", headers=bearer(org)).get_json()
    second = client.get(f"/alerts?limit=2&cursor={first['next_cursor']}",
                        headers=bearer(org)).get_json()
    assert [a["id"] for a in first["alerts"] + second["alerts"]] == newest_first[:4]
    refused = client.get(f"/alerts?limit=2&status=open&cursor={first['next_cursor']}",
                         headers=bearer(org))
    assert refused.status_code == 400
    assert refused.get_json()["error"]["code"] == "invalid_cursor"

"""A support admin grants a revenue-cycle employee an hour in a practice; the employee signs
in to it and lists its users. Twenty times over, through the gateway: audit raises nothing.

The sign-in names the grant that let the employee in, and audit waits for that grant rather
than judging the sign-in on whatever grants it had heard of when the sign-in arrived
(docs/decisions.md, "Recognition does not depend on event order").
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from e2e_stack import PASSWORD, Api, new_practice, sign_in

from servicekit_testing.fixtures import wait_for

pytestmark = pytest.mark.e2e
RUNS = 20
VENDOR_DOMAIN = "clinicplatform.example"


def vendor_staff(platform, name: str, *, support_admin: bool = False) -> tuple[str, str]:
    """A vendor employee added with identity's CLI: (user id, email)."""
    email = f"{name}-{uuid.uuid4().hex[:8]}@{VENDOR_DOMAIN}"
    flags = ["--support-admin"] if support_admin else []
    out = platform.cli("identity", "vendor-staff", "add", "--email", email, "--name",
                       name.title(), "--password", PASSWORD, *flags)
    return out.split()[-2], email


def test_a_granted_vendor_signing_in_raises_no_alert_twenty_times(platform):
    owner = new_practice(platform, "Granted PT", f"owner@granted-{uuid.uuid4().hex[:6]}.example")
    _, admin_email = vendor_staff(platform, "ada", support_admin=True)
    employee_id, employee_email = vendor_staff(platform, "ravi")
    admin = Api(sign_in(admin_email, PASSWORD, account="vendor"))
    for _ in range(RUNS):
        grant = admin.post("identity", "/vendor/grants", 201, json={
            "practice_id": owner.practice_id, "user_id": employee_id,
            "purpose": "revenue cycle: denied claims", "scope": "revenue_cycle",
            "ends_at": (datetime.now(UTC) + timedelta(hours=1)).isoformat()}).json()
        employee = Api(sign_in(employee_email, PASSWORD, account="vendor",
                               practice_id=owner.practice_id))
        employee.get("identity", "/users")
        admin.post("identity", f"/vendor/grants/{grant['id']}/revoke", 200)

    audit = Api(owner.token)

    def entries_recorded() -> bool:
        events = audit.get("audit", "/events?type=identity.access_grant.used&limit=100")
        return len(events.json()["events"]) >= RUNS

    wait_for(entries_recorded, timeout=60, interval=0.25)
    assert audit.get("audit", "/alerts").json()["alerts"] == []

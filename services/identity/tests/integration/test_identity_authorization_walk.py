"""Every identity endpoint, read from the app's own OpenAPI, with every kind of caller.

The table below must name each path and method the app serves: a new endpoint without a
row fails the test, so nobody adds one without deciding who may call it. Each row holds
the exact status for each caller:

- anonymous: no token
- therapist, assistant, clerical, student: one staff member of each user category, none
  an Admin (they are the dental "User" permission level); user: a plain User (a therapist)
- admin: the practice's owner (Admin / User Manager); other_admin: another practice's
- recipient: a document portal recipient (kind recipient, no practice)
- automation: a token of the practice's automation profile (kind automation)
- vendor_with_grant: vendor support signed in to the practice under an active grant
- vendor_without_grant: vendor support signed in to no practice (the vendor directory)
- vendor_grant_ended: a token from under a grant that was revoked after sign-in: revoking
  ended its session, so wherever a token is needed it gets 401 session_ended
- support_admin: the vendor's support admin (directory sign-in)
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from identity.adapters.repository import IdentityRepository
from identity.adapters.signing_keys import new_private_key_pem
from identity.app import create_app
from identity.service_layer.callers import Caller
from identity.service_layer.service_accounts import create_service_account
from identity.service_layer.sessions import access_claims
from identity.service_layer.vendor import VendorCaller, revoke_access
from identity.service_layer.vendor_service_accounts import create_vendor_service_account
from identity.spec import SPEC
from servicekit.migrations import upgrade

sys.path.insert(0, str(Path(__file__).parent))
from identity_accounts import (  # noqa: E402
    PASSWORD,
    VENDOR_DOMAIN,
    bearer,
    email_proof,
    new_grant,
    new_recipient,
    new_vendor_staff,
    sign_in,
)

pytestmark = pytest.mark.integration

STAFF = ["therapist", "assistant", "clerical", "student", "user"]
VENDORS = ["vendor_with_grant", "vendor_without_grant", "vendor_grant_ended", "support_admin"]
CALLERS = ["anonymous", *STAFF, "admin", "other_admin", "recipient", "automation", *VENDORS]
OWNER = "owner@harbourphysio.example"


def expected(default: int, **by_caller: int) -> dict[str, int]:
    unknown = set(by_caller) - set(CALLERS)
    assert not unknown, unknown
    statuses = {caller: by_caller.get(caller, default) for caller in CALLERS}
    if statuses["anonymous"] == 401:  # the route needs a token: an ended session is refused
        statuses["vendor_grant_ended"] = 401
    return statuses


def everyone(status: int) -> dict[str, int]:
    return expected(status)


def practice_staff(ok: int, *, staff: int | None = None, admin: int | None = None,
                   other_admin: int | None = None, **others: int) -> dict[str, int]:
    """A staff-only endpoint: other kinds get 403 (kind_not_allowed), anonymous 401."""
    staff_status = ok if staff is None else staff
    return expected(403, anonymous=401, **dict.fromkeys(STAFF, staff_status),
                    admin=ok if admin is None else admin,
                    other_admin=ok if other_admin is None else other_admin, **others)


def vendor_only(*, support_admin: int, vendor: int, **others: int) -> dict[str, int]:
    """A vendor-only endpoint; a token whose grant ended is refused whatever it asks."""
    return expected(403, anonymous=401, support_admin=support_admin, vendor_with_grant=vendor,
                    vendor_without_grant=vendor, **others)


NEW_PASSWORD = "quiet meadow lantern river"
# Callers whose sign-in needed a second factor (User Managers, vendor staff).
ENROLLED_ALREADY = dict.fromkeys(["admin", "other_admin", *VENDORS], 409)

# (method, path) -> (body, statuses), in the order walked: destructive ones come last.
# Placeholders: {target} a student of the practice, {clinic} its clinic, {invitation} an
# open invitation, {practitioner_id} a free practitioner record, {grant} a spare vendor
# grant, {caller} the caller's name, {practice} the practice, {spare} the spare grant's
# vendor employee, {proof:<email>} a portal proof.
WALK: dict[tuple[str, str], tuple[dict | None, dict[str, int]]] = {
    ("GET", "/user-types"): (None, everyone(200)),
    ("GET", "/.well-known/jwks.json"): (None, everyone(200)),
    # The owner is a User Manager with a second factor: the password alone is not enough.
    ("POST", "/login"): ({"email": OWNER, "password": PASSWORD}, everyone(401)),
    ("POST", "/second-factor/enrollment"): ({"enrollment_token": "unknown"}, everyone(410)),
    ("POST", "/second-factor/enrollment/confirm"): (
        {"enrollment_token": "unknown", "code": "000000"}, everyone(410)),
    ("POST", "/token/refresh"): ({"refresh_token": "unknown"}, everyone(401)),
    ("POST", "/logout"): ({"refresh_token": "unknown"}, everyone(204)),
    ("POST", "/password/set"): ({"token": "unknown", "password": NEW_PASSWORD}, everyone(410)),
    ("POST", "/password/forgot"): ({"email": "nobody@nowhere.example"}, everyone(202)),
    ("POST", "/password/reset"): ({"token": "unknown", "password": NEW_PASSWORD},
                                  everyone(410)),
    ("POST", "/invitations/accept"): ({"token": "unknown", "password": NEW_PASSWORD},
                                      everyone(410)),
    ("POST", "/recipients/register"): (
        {"proof": "{proof:{caller}@recipients.example}", "full_name": "Dr Avery Lane",
         "password": NEW_PASSWORD}, everyone(201)),
    ("GET", "/me"): (None, expected(200, anonymous=401, automation=403)),
    # One's own second factor (staff and vendor staff). Admins and vendor staff signed in
    # with one (409 on a second enrollment, 403 on removal: they must keep it); the other
    # staff start one here, so their wrong first code is 401 and they have none to renew.
    ("GET", "/me/second-factor"): (None, expected(200, anonymous=401, automation=403,
                                                  recipient=403)),
    ("POST", "/me/second-factor"): (None, expected(
        200, anonymous=401, automation=403, recipient=403, **ENROLLED_ALREADY)),
    ("POST", "/me/second-factor/confirm"): ({"code": "000000"}, expected(
        401, automation=403, recipient=403, **ENROLLED_ALREADY)),
    ("POST", "/me/second-factor/recovery-codes"): ({"otp": "000000"}, expected(
        409, anonymous=401, automation=403, recipient=403,
        **dict.fromkeys(ENROLLED_ALREADY, 401))),
    ("POST", "/me/second-factor/removal"): ({"otp": "000000"}, expected(
        409, anonymous=401, automation=403, recipient=403,
        **dict.fromkeys(ENROLLED_ALREADY, 403))),
    # Vendor support reads the practice's people and clinics while its grant is active.
    ("GET", "/users"): (None, practice_staff(200, vendor_with_grant=200)),
    ("GET", "/users/{user_id}"): (None, practice_staff(200, other_admin=404,
                                                       vendor_with_grant=200)),
    ("GET", "/clinics"): (None, practice_staff(200, vendor_with_grant=200)),
    ("POST", "/users"): ({"email": "{caller}-new@harbourphysio.example",
                          "full_name": "New Person", "user_type": "PT"},
                         practice_staff(201, staff=403)),
    ("PATCH", "/users/{user_id}/permissions"): ({"revoke": ["edit_patients"]},
                                                practice_staff(200, staff=403, other_admin=404)),
    # The user type: vendor support under a grant only; the practice is told to ask support.
    ("PUT", "/users/{user_id}/user-type"): (
        {"user_type": "SOT"},
        practice_staff(403, other_admin=404, vendor_with_grant=200)),
    ("PATCH", "/clinics/{clinic_id}/settings"): (
        {"assistants_may_finalize": False}, practice_staff(200, staff=403, other_admin=404)),
    # Each admin opens a clinic in their own practice; vendor support never (staff only).
    ("POST", "/clinics"): ({"name": "{caller} clinic"}, practice_staff(201, staff=403)),
    ("PUT", "/practice/billing-integration"): (
        {"billing_integration": "ClaimPro", "provider_ids": ["{user_id}"]},
        practice_staff(200, staff=403, other_admin=422)),
    # Each admin changes their own practice's domains; vendor support reads them only.
    ("GET", "/practice/recognized-domains"): (None, practice_staff(200, vendor_with_grant=200)),
    ("PUT", "/practice/recognized-domains"): (
        {"domains": ["harbourphysio.example", "{caller}.example"]},
        practice_staff(200, staff=403)),
    # The Admin-only areas (dental seed): each Admin reads and changes their own practice's;
    # User-level staff get 403 admin_only; vendor support none of them (staff only).
    ("GET", "/practice"): (None, practice_staff(200, staff=403)),
    ("PUT", "/practice"): ({"name": "Harbour Physio", "phone": "+1 555 0100"},
                           practice_staff(200, staff=403)),
    ("GET", "/practice/integrations"): (None, practice_staff(200, staff=403)),
    ("PUT", "/practice/integrations"): (
        {"integrations": [{"kind": "sms", "provider": "Twilio", "enabled": True}]},
        practice_staff(200, staff=403)),
    ("GET", "/practice/treatment-plan-settings"): (None, practice_staff(200, staff=403)),
    ("PUT", "/practice/treatment-plan-settings"): (
        {"item_codes": [{"code": "D1110", "description": "Prophylaxis", "price": "95.00"}],
         "price_buttons": [], "sms_templates": [], "reminder_templates": []},
        practice_staff(200, staff=403)),
    ("GET", "/practice/webchat"): (None, practice_staff(200, staff=403)),
    ("PUT", "/practice/webchat"): ({"enabled": True}, practice_staff(200, staff=403)),
    ("GET", "/practice/digests"): (None, practice_staff(200, staff=403)),
    ("PUT", "/practice/digests"): ({"frequency": "daily"}, practice_staff(200, staff=403)),
    # One's own notification and digest choices: every staff member, their own only.
    ("GET", "/me/notifications"): (None, practice_staff(200)),
    ("PATCH", "/me/notifications"): ({"notifications": {"payment_plan_requested": False}},
                                     practice_staff(200)),
    ("GET", "/practice/security"): (None, practice_staff(200, staff=403)),
    ("PUT", "/practice/security"): ({"require_second_factor": False},
                                    practice_staff(200, staff=403)),
    ("GET", "/invitations"): (None, practice_staff(200, staff=403)),
    # The records to pick from: those who invite and add staff (Admins), their own practice's
    # (another practice's Admin gets their own list); vendor support none (staff only).
    ("GET", "/practitioners"): (None, practice_staff(200, staff=403)),
    # Admins keep the records by hand: a free one, a rename; another practice's record: 404.
    ("POST", "/practitioners"): ({"name": "{caller} Record", "clinical_role": "dentist"},
                                 practice_staff(201, staff=403)),
    ("PATCH", "/practitioners/{practitioner_id}"): (
        {"name": "Lee Morgan-{caller}"}, practice_staff(200, staff=403, other_admin=404)),
    ("POST", "/invitations"): (
        {"full_name": "Sam Lee", "email": "{caller}-invitee@harbourphysio.example",
         "practice_role": "front_desk", "user_type": "Front Office"},
        practice_staff(201, staff=403)),
    ("POST", "/invitations/{invitation_id}/resend"): (
        None, practice_staff(200, staff=403, other_admin=404)),
    ("POST", "/invitations/{invitation_id}/revoke"): (
        None, practice_staff(200, staff=403, other_admin=404)),
    ("GET", "/access-grants"): (None, practice_staff(200, staff=403)),
    # The same grant as the vendor's revoke route: only one of the two succeeds per caller.
    ("POST", "/access-grants/{grant_id}/revoke"): (
        None, practice_staff(200, staff=403, other_admin=404)),
    ("GET", "/vendor/grants"): (None, vendor_only(support_admin=200, vendor=200)),
    ("POST", "/vendor/grants"): (
        {"practice_id": "{practice}", "user_id": "{spare}", "purpose": "Ticket 5120",
         "ends_at": "{in_an_hour}"}, vendor_only(support_admin=201, vendor=403)),
    ("POST", "/vendor/grants/{grant_id}/revoke"): (
        None, vendor_only(support_admin=200, vendor=403)),
    # Service accounts: a practice's Admins manage theirs; vendor support admins the vendor's.
    # /oauth/token takes a form, never a bearer token: a JSON body lacks grant_type (400).
    ("POST", "/oauth/token"): (None, everyone(400)),
    ("GET", "/service-accounts"): (None, practice_staff(200, staff=403)),
    ("POST", "/service-accounts"): ({"name": "{caller} SIEM feed", "scope": "view_audit"},
                                    practice_staff(201, staff=403)),
    ("POST", "/service-accounts/{account_id}/rotate"): (
        None, practice_staff(200, staff=403, other_admin=404)),
    ("POST", "/service-accounts/{account_id}/revoke"): (
        None, practice_staff(200, staff=403, other_admin=404)),
    ("GET", "/vendor/service-accounts"): (None, vendor_only(support_admin=200, vendor=403)),
    ("POST", "/vendor/service-accounts"): ({"scope": "security", "name": "{caller} SOC"},
                                           vendor_only(support_admin=201, vendor=403)),
    ("POST", "/vendor/service-accounts/{vendor_account_id}/rotate"): (
        None, vendor_only(support_admin=200, vendor=403)),
    ("POST", "/vendor/service-accounts/{vendor_account_id}/revoke"): (
        None, vendor_only(support_admin=200, vendor=403)),
    ("PATCH", "/users/{user_id}"): ({"full_name": "Renamed Student"},
                                    practice_staff(200, staff=403, other_admin=404)),
    ("POST", "/users/{user_id}/deactivate"): ({}, practice_staff(200, staff=403,
                                                                 other_admin=404)),
    # A lost phone: a User Manager resets a colleague's second factor (none here: 204).
    ("DELETE", "/users/{user_id}/second-factor"): (
        None, practice_staff(204, staff=403, other_admin=404)),
    # After the deactivation above: the admin brings the user back.
    ("POST", "/users/{user_id}/reactivate"): ({}, practice_staff(200, staff=403,
                                                                 other_admin=404)),
    ("DELETE", "/practitioners/{practitioner_id}"): (
        None, practice_staff(204, staff=403, other_admin=404)),
}


@pytest.fixture
def app(database_url, tmp_path, mail_sink):
    upgrade(SPEC.migrations_dir, database_url)
    app = create_app(SPEC.load_config(
        local_dir=tmp_path, database_url=database_url, bus_url="memory://",
        jwt_private_keys=new_private_key_pem(), smtp_url=mail_sink.url))
    app.config["TESTING"] = True
    yield app
    app.extensions["servicekit.runtime"].close()


def automation_token(ident, practice) -> str:
    with ident.uow() as uow:
        repo = IdentityRepository(uow.session)
        robot = repo.user(practice.id, practice.automation_id)
        claims = access_claims(repo, robot, ident.catalog)
    return ident.tokens.issue(claims, datetime.now(UTC))


def token_for(caller: str, client, ident, practice, new_practice, vendor) -> str | None:
    if caller == "anonymous":
        return None
    if caller == "automation":
        return automation_token(ident, practice)
    if caller == "recipient":
        new_recipient(ident, "avery.lane@orthoclinic.example")
        email, account, practice_id = "avery.lane@orthoclinic.example", "recipient", None
    elif caller == "other_admin":
        new_practice("Bayside Rehab", "owner@bayside.example")
        email, account, practice_id = "owner@bayside.example", "staff", None
    elif caller == "support_admin":
        email, account, practice_id = f"support-admin@{VENDOR_DOMAIN}", "vendor", None
    elif caller == "vendor_without_grant":
        email, account, practice_id = f"support@{VENDOR_DOMAIN}", "vendor", None
    elif caller in ("vendor_with_grant", "vendor_grant_ended"):
        email, account, practice_id = f"support@{VENDOR_DOMAIN}", "vendor", practice.id
    else:
        name = {"admin": "owner", "user": "therapist"}.get(caller, caller)
        email, account, practice_id = f"{name}@harbourphysio.example", "staff", None
    response = sign_in(client, email, account=account, practice_id=practice_id)
    assert response.status_code == 200, (caller, response.get_json())
    if caller == "vendor_grant_ended":
        revoke_access(ident.uow(), VendorCaller(vendor["admin"], None), vendor["grant"],
                      datetime.now(UTC))
    return response.get_json()["access_token"]


def fill(value, values: dict[str, str], secret: str):
    if isinstance(value, dict):
        return {k: fill(v, values, secret) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(v, values, secret) for v in value]
    if isinstance(value, str) and value.startswith("{proof:"):
        return email_proof(secret, value[len("{proof:"):-1].format(**values))
    return value.format(**values) if isinstance(value, str) else value


def test_the_walk_names_every_endpoint_the_app_serves(client):
    spec = client.get("/openapi.json").get_json()
    served = {(method.upper(), path) for path, operations in spec["paths"].items()
              for method in operations if method != "parameters"}
    assert served - set(WALK) == set(), "endpoints without an expected status per caller"
    assert set(WALK) - served == set(), "rows for endpoints the app no longer serves"


@pytest.mark.parametrize("caller", CALLERS)
def test_every_endpoint_answers_each_caller_with_the_exact_status(
    caller, client, ident, practice, new_practice, add_person, login
):
    add_person(practice, "target", "SPT", "target@harbourphysio.example")
    vendor = {"admin": new_vendor_staff(ident, "support-admin", support_admin=True),
              "support": new_vendor_staff(ident, "support"),
              "spare": new_vendor_staff(ident, "spare")}
    vendor["grant"] = new_grant(ident, vendor["admin"], vendor["support"], practice.id).grant.id
    spare_grant = new_grant(ident, vendor["admin"], vendor["spare"], practice.id).grant.id
    siem = create_service_account(
        ident.uow(), Caller(practice.owner_id, practice.id), name="SIEM feed",
        scope="view_audit", catalog=ident.catalog, now=datetime.now(UTC)).account.id
    soc = create_vendor_service_account(
        ident.uow(), VendorCaller(vendor["admin"], None), scope="security", name="SOC",
        practice_id=None, now=datetime.now(UTC)).account.id
    owner = bearer(login(OWNER)["access_token"])
    invitation = client.post("/invitations", headers=owner, json={
        "full_name": "Kim Park", "email": "kim.park@harbourphysio.example",
        "practice_role": "front_desk", "user_type": "Front Office"})
    assert invitation.status_code == 201, invitation.get_json()
    record = client.post("/practitioners", headers=owner, json={"name": "Lee Morgan"})
    assert record.status_code == 201, record.get_json()
    token = token_for(caller, client, ident, practice, new_practice, vendor)
    headers = bearer(token) if token else {}
    values = {
        "user_id": practice.users["target"], "clinic_id": practice.clinic_id,
        "invitation_id": invitation.get_json()["id"], "grant_id": spare_grant,
        "caller": caller.replace("_", "-"), "practice": practice.id, "spare": vendor["spare"],
        "account_id": siem, "vendor_account_id": soc,
        "practitioner_id": record.get_json()["id"],
        "in_an_hour": (datetime.now(UTC) + timedelta(hours=1)).isoformat(),
    }
    secret = ident.config.recipient_proof_secret
    wrong = []
    for (method, path), (body, statuses) in WALK.items():
        response = client.open(path.format(**values), method=method,
                               json=fill(body, values, secret), headers=headers)
        if response.status_code != statuses[caller]:
            wrong.append((method, path, statuses[caller], response.status_code,
                          response.get_json()))
        elif response.status_code >= 400:
            assert set(response.get_json()["error"]) == {"code", "message", "details"}
    assert wrong == []

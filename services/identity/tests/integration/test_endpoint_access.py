"""A walk over every identity endpoint with each kind of caller, asserting the exact status."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.integration

CALLERS = ["anonymous", "therapist", "assistant", "clerical", "student", "manager",
           "other_manager", "outdated_token"]
STAFF = ["therapist", "assistant", "clerical", "student"]


def expected(default: int, **by_caller: int) -> dict[str, int]:
    return {caller: by_caller.get(caller, default) for caller in CALLERS}


# (method, path, body, statuses). {target} is the practice's student, {clinic} its clinic.
WALK = [
    ("GET", "/user-types", None, expected(200)),
    ("GET", "/.well-known/jwks.json", None, expected(200)),
    ("GET", "/me", None, expected(200, anonymous=401, outdated_token=401)),
    ("GET", "/users", None, expected(200, anonymous=401, outdated_token=401)),
    ("GET", "/users/{target}", None,
     expected(200, anonymous=401, outdated_token=401, other_manager=404)),
    ("GET", "/clinics", None, expected(200, anonymous=401, outdated_token=401)),
    ("POST", "/users", {"email": "{caller}-new@harbourphysio.example", "full_name": "New Person",
                        "user_type": "PT"},
     expected(403, anonymous=401, outdated_token=401, manager=201, other_manager=201)),
    ("PATCH", "/users/{target}/permissions", {"revoke": ["edit_patients"]},
     expected(403, anonymous=401, outdated_token=401, manager=200, other_manager=404)),
    ("PUT", "/users/{target}/user-type", {"user_type": "SOT"},
     expected(403, anonymous=401, outdated_token=401, other_manager=404)),
    ("PATCH", "/clinics/{clinic}/settings", {"assistants_may_finalize": False},
     expected(403, anonymous=401, outdated_token=401, manager=200, other_manager=404)),
    ("POST", "/users/{target}/deactivate", {},
     expected(403, anonymous=401, outdated_token=401, manager=200, other_manager=404)),
]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def token_for(caller: str, client, login, new_practice, practice) -> str | None:
    if caller == "anonymous":
        return None
    if caller == "other_manager":
        new_practice("Bayside Rehab", "owner@bayside.example")
        return login("owner@bayside.example")["access_token"]
    if caller == "outdated_token":
        token = login("therapist@harbourphysio.example")["access_token"]
        manager = login("owner@harbourphysio.example")["access_token"]
        changed = client.patch(f"/users/{practice.users['therapist']}/permissions",
                               json={"revoke": ["share_documents"]}, headers=bearer(manager))
        assert changed.status_code == 200
        return token
    email = "owner@harbourphysio.example" if caller == "manager" else (
        f"{caller}@harbourphysio.example")
    return login(email)["access_token"]


@pytest.mark.parametrize("caller", CALLERS)
def test_every_endpoint_answers_each_caller_with_the_right_status(
    caller, client, login, new_practice, add_person, practice
):
    add_person(practice, "target", "SPT", "target@harbourphysio.example")
    token = token_for(caller, client, login, new_practice, practice)
    headers = bearer(token) if token else {}
    for method, path, body, statuses in WALK:
        url = path.format(target=practice.users["target"], clinic=practice.clinic_id)
        json = {k: (v.format(caller=caller) if isinstance(v, str) else v)
                for k, v in body.items()} if body is not None else None
        response = client.open(url, method=method, json=json, headers=headers)
        assert response.status_code == statuses[caller], (method, path, response.get_json())
        if response.status_code >= 400:
            assert set(response.get_json()["error"]) == {"code", "message", "details"}

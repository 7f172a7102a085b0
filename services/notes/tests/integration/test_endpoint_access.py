"""A walk over every notes endpoint with each kind of caller, asserting the exact status."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.integration

CALLERS = ["anonymous", "therapist", "assistant", "clerical", "student", "manager",
           "other_manager", "outdated_token", "recipient", "vendor"]
# Not staff of the practice: a token of another kind, even one carrying every permission.
# Vendor staff under an access grant read what their permissions allow (READ below) and
# never write: this vendor token carries every permission and is still refused each write.
REFUSED_KINDS = {"recipient": 403, "vendor": 403}
READ = {"vendor": 200}


def expected(default: int, **by_caller: int) -> dict[str, int]:
    fixed = {"anonymous": 401, "outdated_token": 401, **REFUSED_KINDS}
    return {**fixed, **{c: default for c in CALLERS if c not in fixed}, **by_caller}


NOT_YOURS = 404  # another practice's record looks like no record at all

# (method, path, body, statuses). Placeholders are filled from the records made in setup().
WALK = [
    ("GET", "/patients", None, expected(200, **READ)),
    ("POST", "/patients/search", {"name": "Lee"}, expected(200, **READ)),
    ("GET", "/patients/{patient}", None, expected(200, other_manager=NOT_YOURS, **READ)),
    ("POST", "/patients", {"clinic_id": "{clinic}", "first_name": "New", "last_name": "Patient",
                           "date_of_birth": "2001-01-01"},
     expected(201, other_manager=422)),
    ("PATCH", "/patients/{patient}", {"phone": "555-0199"},
     expected(200, other_manager=NOT_YOURS)),
    ("GET", "/patients/{patient}/notes", None, expected(200, other_manager=NOT_YOURS, **READ)),
    ("GET", "/patients/{patient}/transactions", None,
     expected(200, other_manager=NOT_YOURS, **READ)),
    ("GET", "/insurances", None, expected(200, **READ)),
    ("POST", "/insurances", {"name": "Walk Payer"}, expected(403, manager=201, other_manager=201)),
    ("PATCH", "/insurances/{insurance}", {"name": "Renamed Payer"},
     expected(403, manager=200, other_manager=NOT_YOURS)),
    ("POST", "/cases", {"patient_id": "{patient}", "insurance_id": "{insurance}"},
     expected(201, other_manager=NOT_YOURS)),
    ("GET", "/cases/{case}", None, expected(200, other_manager=NOT_YOURS, **READ)),
    ("POST", "/notes", {"case_id": "{case}", "kind": "daily_note",
                        "date_of_service": "2026-11-20"},
     expected(201, clerical=403, other_manager=NOT_YOURS)),
    ("GET", "/notes/{draft}", None, expected(200, other_manager=NOT_YOURS, **READ)),
    ("GET", "/notes/{draft}/billing-codes", None,
     expected(200, other_manager=NOT_YOURS, **READ)),
    ("GET", "/notes/{draft}/pdf", None, expected(409, other_manager=NOT_YOURS, vendor=409)),
    ("GET", "/notes/{signed}/pdf", None, expected(200, other_manager=NOT_YOURS, **READ)),
    ("PATCH", "/notes/{draft}", {"version": 1, "plan": "walk"},
     expected(403, therapist=200, other_manager=NOT_YOURS)),
    ("POST", "/notes/{assistant_draft}/forward", {"version": 1, "to_user_id": "{therapist}"},
     expected(403, assistant=200, other_manager=NOT_YOURS)),
    ("POST", "/notes/{to_sign}/finalize", {"version": 1},
     expected(403, therapist=200, other_manager=NOT_YOURS)),
    ("POST", "/notes/{signed}/addenda", {"text": "Addendum from the walk."},
     expected(403, therapist=201, other_manager=NOT_YOURS)),
    ("DELETE", "/transactions/{charge}", None,
     expected(403, therapist=200, manager=200, other_manager=NOT_YOURS)),
]


def setup(as_, practice, chart, start) -> dict[str, str]:
    therapist = as_(practice, "therapist")
    signed = start(therapist, chart)
    therapist.patch(f"/notes/{signed['id']}", json={"version": 1,
                                                    "billing_sheet": [{"code": "97110"}]})
    assert therapist.post(f"/notes/{signed['id']}/finalize",
                          json={"version": 2}).status_code == 200
    [charge] = therapist.get(f"/patients/{chart['patient_id']}/transactions").get_json()
    return {
        "clinic": practice.clinic_id, "patient": chart["patient_id"], "case": chart["case_id"],
        "insurance": chart["insurance_id"], "therapist": practice.users["therapist"],
        "draft": start(therapist, chart)["id"], "to_sign": start(therapist, chart)["id"],
        "assistant_draft": start(as_(practice, "assistant"), chart)["id"],
        "signed": signed["id"], "charge": charge["id"],
    }


def session_for(caller: str, as_, client, practice, new_practice, change_permissions):
    if caller == "anonymous":
        return lambda method, url, json: client.open(url, method=method, json=json)
    if caller == "other_manager":
        session = as_(new_practice("Bayside Rehab"), "manager")
    elif caller == "outdated_token":
        session = as_(practice, "therapist")
        change_permissions(practice, "therapist", revoke=["share_documents"])
    elif caller in REFUSED_KINDS:
        session = as_(practice, "manager", kind=caller)
    else:
        session = as_(practice, caller)
    return session.open


@pytest.mark.parametrize("caller", CALLERS)
def test_every_endpoint_answers_each_caller_with_the_right_status(
    caller, as_, client, practice, chart, start, new_practice, change_permissions
):
    records = setup(as_, practice, chart, start)
    send = session_for(caller, as_, client, practice, new_practice, change_permissions)
    for method, path, body, statuses in WALK:
        url = path.format(**records)
        json = {k: v.format(**records) if isinstance(v, str) else v
                for k, v in body.items()} if body is not None else None
        response = send(method, url, json)
        assert response.status_code == statuses[caller], (method, path, response.get_json())
        if response.status_code >= 400:
            assert set(response.get_json()["error"]) == {"code", "message", "details"}

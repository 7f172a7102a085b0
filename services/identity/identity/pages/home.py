"""The signed-in home: the person's practice, role, user type and permissions, as /me says."""

from __future__ import annotations

from flask import render_template
from werkzeug.wrappers import Response

from identity.api.sessions import staff_profile_body
from identity.bootstrap import identity
from identity.pages.blueprint import blueprint, signed_in
from identity.service_layer.callers import Caller
from identity.service_layer.staff_pages import practice_name

PERMISSION_NAMES = {
    "view_patients": "View patients",
    "edit_patients": "Edit patients",
    "start_notes": "Start SOAP notes",
    "forward_notes": "Forward SOAP notes",
    "finish_notes": "Finish SOAP notes",
    "delete_transactions": "Delete patient transactions",
    "manage_users": "Manage users (User Manager)",
    "share_documents": "Share documents",
    "view_audit": "View the audit record",
}


@blueprint.route("/home", methods=["GET"])
def home() -> Response | tuple[str, int]:
    staff = signed_in()
    if isinstance(staff, Response):
        return staff
    assert staff.org_id is not None  # a staff token always names its practice
    profile = staff_profile_body(Caller(staff.user_id, staff.org_id))
    permissions = [PERMISSION_NAMES.get(p, p) for p in profile.get("permissions", [])]
    ident = identity()
    return render_template("app/home.html", profile=profile, permissions=permissions,
                           practice=practice_name(ident.uow(), staff.org_id)), 200

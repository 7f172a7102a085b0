"""/app/notifications: the person's own notification and digest choices, where every
notification and digest mail links to."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from identity.bootstrap import identity
from identity.domain.errors import IdentityError
from identity.domain.role_profiles import load_role_profiles
from identity.pages.blueprint import blueprint, signed_in
from identity.service_layer.callers import Caller
from identity.service_layer.notifications import change_my_notifications, my_notifications


def _names() -> dict[str, str]:
    profiles = load_role_profiles()
    return {**profiles.notifications, **{c: d.name for c, d in profiles.digests.items()}}


@blueprint.route("/notifications", methods=["GET"])
def notification_choices() -> Response | tuple[str, int]:
    staff = signed_in()
    if isinstance(staff, Response):
        return staff
    assert staff.org_id is not None  # a staff token always names its practice
    ident = identity()
    mine = my_notifications(ident.uow(), Caller(staff.user_id, staff.org_id), ident.catalog)
    return render_template("app/notifications.html", mine=mine, names=_names()), 200


@blueprint.route("/notifications", methods=["POST"])
def change_notification_choices() -> Response | tuple[str, int]:
    staff = signed_in()
    if isinstance(staff, Response):
        return staff
    assert staff.org_id is not None
    ident = identity()
    me = Caller(staff.user_id, staff.org_id)
    mine = my_notifications(ident.uow(), me, ident.catalog)
    ticked = set(request.form.getlist("on"))
    try:
        change_my_notifications(
            ident.uow(), me, catalog=ident.catalog, now=ident.now(),
            notifications={c: c in ticked for c in mine["notifications_available"]},
            digests={c: c in ticked for c in mine["digests_available"]})
    except IdentityError as refused:
        return render_template("app/notifications.html", mine=mine, names=_names(),
                               error=refused.message), 422
    flash("Your notification choices are saved.")
    return redirect(url_for("staff_pages.notification_choices"))

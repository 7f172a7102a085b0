"""One profile in the User Manager's console: edit it, change its permissions (with the
seed's "Yes, I understand" for an assistant who would finish notes), deactivate and
reactivate it. Each form calls the API's own use case; a refusal re-renders the page."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from identity.bootstrap import identity
from identity.domain.errors import AcknowledgementRequired, IdentityError
from identity.domain.profile_rules import ACKNOWLEDGEMENT
from identity.pages.blueprint import blueprint
from identity.pages.console import manager_caller
from identity.pages.home import PERMISSION_NAMES
from identity.pages.problems import for_error
from identity.pages.user_forms import (
    CLINICAL_ROLES,
    PERMISSION_LEVELS,
    PRACTICE_ROLES,
    acting_clinic,
    permission_choice,
    profile_edit,
    recognition_label,
)
from identity.service_layer import user_lifecycle, users
from identity.service_layer.callers import Caller
from identity.service_layer.user_console import ConsoleProfile, UserConsole, console_profile
from servicekit.web.pages import field


@blueprint.route("/users/<user_id>", methods=["GET"])
def user_profile(user_id: str) -> Response | tuple[str, int]:
    caller = manager_caller()
    if isinstance(caller, Response):
        return caller
    return _page(caller, user_id)


@blueprint.route("/users/<user_id>/edit", methods=["POST"])
def edit_user(user_id: str) -> Response | tuple[str, int]:
    """Name, clinics, default clinic, supervisor, role, clinical role, permission level."""
    caller = manager_caller()
    if isinstance(caller, Response):
        return caller
    profile, console = _load(caller, user_id)
    if profile.view is None:
        return _page(caller, user_id, error="Only your practice's own profiles can be edited.",
                     status=409)
    ident = identity()
    edit = profile_edit(profile.view, {c.id for c in console.choices.clinics})
    try:
        user_lifecycle.edit_user(ident.uow(), _acting(caller), user_id, edit,
                                 catalog=ident.catalog, now=ident.now())
    except IdentityError as refused:
        return _refused(caller, user_id, refused, "edit")
    flash(f"{profile.user.full_name}'s profile is saved.")
    return redirect(url_for("staff_pages.user_profile", user_id=user_id))


@blueprint.route("/users/<user_id>/permissions", methods=["POST"])
def change_permissions(user_id: str) -> Response | tuple[str, int]:
    """Grant and revoke; an assistant's finish_notes first asks "Yes, I understand"."""
    caller = manager_caller()
    if isinstance(caller, Response):
        return caller
    profile, _ = _load(caller, user_id)
    ident = identity()
    held = (profile.view.permissions or frozenset()) if profile.view else frozenset()
    grant, revoke = permission_choice(held)
    try:
        _, change = users.change_permissions(
            ident.uow(), _acting(caller), user_id, grant=grant, revoke=revoke,
            acknowledged=field("acknowledge", 32) == ACKNOWLEDGEMENT,
            catalog=ident.catalog, now=ident.now())
    except AcknowledgementRequired as question:
        return render_template(
            "app/user_confirm_finish_notes.html", profile=profile, question=question,
            acknowledgement=ACKNOWLEDGEMENT, wanted=sorted((held | set(grant)) - set(revoke)),
            billing=question.details.get("billing_warning"),
            acting_clinic_id=acting_clinic() or ""), 409
    except IdentityError as refused:
        return _refused(caller, user_id, refused, "permissions")
    for notice in change.notices:
        flash(notice.message)
    flash(f"{profile.user.full_name}'s permissions are saved.")
    return redirect(url_for("staff_pages.user_profile", user_id=user_id))


@blueprint.route("/users/<user_id>/deactivate", methods=["POST"])
def deactivate_user(user_id: str) -> Response | tuple[str, int]:
    """Deactivate and end every session they have."""
    return _status_change(user_id, users.deactivate_user, "is deactivated; their sessions ended.")


@blueprint.route("/users/<user_id>/reactivate", methods=["POST"])
def reactivate_user(user_id: str) -> Response | tuple[str, int]:
    return _status_change(user_id, user_lifecycle.reactivate_user,
                          "is active again; they sign in with their password, or ask for a "
                          "reset.")


def _status_change(user_id: str, use_case: Any, done: str) -> Response | tuple[str, int]:
    caller = manager_caller()
    if isinstance(caller, Response):
        return caller
    ident = identity()
    try:
        view = use_case(ident.uow(), _acting(caller), user_id, catalog=ident.catalog,
                        now=ident.now())
    except IdentityError as refused:
        return _refused(caller, user_id, refused, "status")
    flash(f"{view.user.full_name} {done}")
    return redirect(url_for("staff_pages.user_profile", user_id=user_id))


def _acting(caller: Caller) -> Caller:
    return Caller(caller.user_id, caller.org_id, acting_clinic())


def _load(caller: Caller, user_id: str) -> tuple[ConsoleProfile, UserConsole]:
    ident = identity()
    return console_profile(ident.uow(), caller, user_id[:64], catalog=ident.catalog,
                           vendor_domain=ident.config.vendor_domain, now=ident.now())


def _refused(caller: Caller, user_id: str, refused: IdentityError, form: str
             ) -> tuple[str, int]:
    return _page(caller, user_id, error=refused.message, status=for_error(refused).status,
                 error_form=form)


def _page(caller: Caller, user_id: str, *, error: str | None = None, status: int = 200,
          error_form: str | None = None) -> tuple[str, int]:
    profile, console = _load(caller, user_id)
    ident = identity()
    return render_template(
        "app/user.html", profile=profile, console=console, error=error, error_form=error_form,
        label=recognition_label(profile.recognition, ident.config.vendor_name),
        permission_names=PERMISSION_NAMES, practice_roles=PRACTICE_ROLES,
        clinical_roles=CLINICAL_ROLES, permission_levels=PERMISSION_LEVELS,
        clinic_names={c.id: c.name for c in console.choices.clinics},
        therapists=[t for t in console.choices.therapists if t.id != user_id],
        supervisor_names={t.id: t.full_name for t in console.choices.therapists},
        manager_default=console.manager.default_clinic_id), status

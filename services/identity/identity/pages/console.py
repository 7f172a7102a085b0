"""The User Manager's console: the practice's users with whether the practice recognizes
each profile, and adding or inviting someone. User Managers only (the use cases check)."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from identity.bootstrap import Identity, identity
from identity.domain.catalog import THERAPY
from identity.domain.errors import IdentityError
from identity.domain.invitations import InvitationRequest, default_user_type
from identity.domain.roles import ClinicalRole, PermissionLevel, PracticeRole
from identity.pages.blueprint import blueprint, signed_in
from identity.pages.problems import for_error
from identity.pages.user_forms import (
    CLINICAL_ROLES,
    ID,
    PERMISSION_LEVELS,
    PRACTICE_ROLES,
    recognition_label,
)
from identity.service_layer import invitations, users
from identity.service_layer.callers import Caller
from identity.service_layer.errors import PractitionerDecisionRequired
from identity.service_layer.user_console import UserConsole, user_console
from servicekit.web.pages import MAX_NAME, field

INVITE, ADD = "invite", "add"
NEW_RECORD = "new"


def manager_caller() -> Caller | Response:
    staff = signed_in()
    if isinstance(staff, Response):
        return staff
    assert staff.org_id is not None  # a staff token always names its practice
    return Caller(staff.user_id, staff.org_id)


def load_console(caller: Caller) -> UserConsole:
    ident = identity()
    return user_console(ident.uow(), caller, catalog=ident.catalog,
                        vendor_domain=ident.config.vendor_domain, now=ident.now())


@blueprint.route("/users", methods=["GET"])
def user_list() -> Response | tuple[str, int]:
    """Every profile of the practice, flagged where the practice does not recognize it."""
    caller = manager_caller()
    if isinstance(caller, Response):
        return caller
    ident = identity()
    console = load_console(caller)
    pending = [v for v in invitations.list_invitations(ident.uow(), caller,
                                                        catalog=ident.catalog, now=ident.now())
               if v.status.value == "pending"]
    labels = {p.user.id: recognition_label(p.recognition, ident.config.vendor_name)
              for p in console.profiles}
    return render_template("app/users.html", console=console, labels=labels,
                           invitations=pending, clinic_names=_clinic_names(console)), 200


@blueprint.route("/users/new", methods=["GET", "POST"])
def new_user() -> Response | tuple[str, int]:
    """Invite someone (role, permission level, clinical role) or add them at once."""
    caller = manager_caller()
    if isinstance(caller, Response):
        return caller
    console = load_console(caller)
    if request.method == "GET":
        return _form(console, _blank(console)), 200
    form = _posted()
    try:
        done = _invite(caller, console, form) if form["how"] == INVITE else _add(caller, console,
                                                                                   form)
    except PractitionerDecisionRequired as decision:
        return _form(console, form, error=decision.message,
                     duplicates=decision.details.get("possible_duplicates", [])), 409
    except IdentityError as refused:
        problem = for_error(refused)
        return _form(console, form, error=refused.message), problem.status
    flash(done)
    return redirect(url_for("staff_pages.user_list"))


def _invite(caller: Caller, console: UserConsole, form: dict[str, Any]) -> str:
    ident = identity()
    role = PracticeRole(form["practice_role"])
    choice = form["practitioner"]
    request_ = InvitationRequest(
        full_name=form["full_name"], email=form["email"], role=role,
        permission_level=PermissionLevel(form["permission_level"])
        if form["permission_level"] else None,
        clinical_role=ClinicalRole(form["clinical_role"]) if form["clinical_role"] else None,
        user_type=form["user_type"] or None,
        practitioner_id=None if choice == NEW_RECORD else choice,
        confirm_new_practitioner=form["confirm_new_practitioner"])
    view = invitations.invite_staff(
        ident.uow(), caller, request_, default_clinic_id=form["default_clinic_id"] or None,
        catalog=ident.catalog, mailer=ident.mailer, now=ident.now(),
        supervising_therapist_id=form["supervising_therapist_id"] or None)
    if view.mail_status == "sent":
        return f"Invitation sent to {view.invitation.email}."
    return (f"The invitation to {view.invitation.email} is saved but its mail could not be "
            "sent yet; resend it later.")


def _add(caller: Caller, console: UserConsole, form: dict[str, Any]) -> str:
    ident = identity()
    clinic = form["default_clinic_id"] or None
    added = users.add_user(
        ident.uow(), caller, email=form["email"], full_name=form["full_name"],
        user_type=form["user_type"] or _type_of_role(ident, console, form),
        default_clinic_id=clinic, clinic_ids=[clinic] if clinic else [],
        supervising_therapist_id=form["supervising_therapist_id"] or None,
        catalog=ident.catalog, mailer=ident.mailer, now=ident.now())
    email = added.view.user.email
    if added.mail_status == "sent":
        return f"{added.view.user.full_name} is added; {email} got the mail to get started."
    return (f"{added.view.user.full_name} is added, but the mail to {email} could not be sent: "
            "they can choose a password with \"Forgot password\".")


def _type_of_role(ident: Identity, console: UserConsole, form: dict[str, Any]) -> str:
    """Added without a type: the type an invitation with this role would get."""
    clinical = form["clinical_role"]
    return default_user_type(PracticeRole(form["practice_role"]),
                             ClinicalRole(clinical) if clinical else None, ident.catalog,
                             console.practice.model)


def _blank(console: UserConsole) -> dict[str, Any]:
    therapy = console.practice.model == THERAPY
    only_clinic = console.choices.clinics[0].id if len(console.choices.clinics) == 1 else ""
    return {"how": INVITE, "full_name": "", "email": "",
            # seeds/000: a new user's type defaults to PT; a dental type follows the role.
            "user_type": identity().catalog.default_code if therapy else "",
            "practice_role": PracticeRole.PRACTITIONER.value, "permission_level": "",
            "clinical_role": ClinicalRole.OTHER.value if therapy else ClinicalRole.DENTIST.value,
            "default_clinic_id": only_clinic, "supervising_therapist_id": "",
            "practitioner": NEW_RECORD, "confirm_new_practitioner": False}


def _posted() -> dict[str, Any]:
    roles, levels = {r for r, _ in PRACTICE_ROLES}, {p for p, _ in PERMISSION_LEVELS}
    clinical = {c for c, _ in CLINICAL_ROLES}
    role, level, clinical_role = (field("practice_role", ID), field("permission_level", ID),
                                  field("clinical_role", ID))
    return {"how": ADD if field("how", 16) == ADD else INVITE,
            "full_name": field("full_name", MAX_NAME), "email": field("email"),
            "user_type": field("user_type", ID),
            "practice_role": role if role in roles else PracticeRole.PRACTITIONER.value,
            "permission_level": level if level in levels else "",
            "clinical_role": clinical_role if clinical_role in clinical else "",
            "default_clinic_id": field("default_clinic_id", ID),
            "supervising_therapist_id": field("supervising_therapist_id", ID),
            "practitioner": field("practitioner", ID) or NEW_RECORD,
            "confirm_new_practitioner": request.form.get("confirm_new_practitioner") == "yes"}


def _form(console: UserConsole, form: dict[str, Any], **extra: Any) -> str:
    return render_template(
        "app/user_new.html", console=console, form=form, practice_roles=PRACTICE_ROLES,
        clinical_roles=CLINICAL_ROLES, permission_levels=PERMISSION_LEVELS,
        therapy=console.practice.model == THERAPY, **extra)


def _clinic_names(console: UserConsole) -> dict[str, str]:
    return {c.id: c.name for c in console.choices.clinics}

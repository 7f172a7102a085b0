"""Getting started from the mail: accept an invitation, or set the first password of an
account a User Manager added. Both end signed in, on the home page."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from identity.bootstrap import identity
from identity.domain.errors import (
    PasswordRejected,
    SecondFactorEnrollmentRequired,
    SecondFactorRequired,
    SignInRefused,
    TooManyAttempts,
)
from identity.domain.getting_started import ProfileConfirmation
from identity.domain.roles import ClinicalRole, PracticeRole
from identity.pages.blueprint import blueprint
from identity.pages.second_factor import begin_enrollment
from identity.pages.session import start_session
from identity.pages.sign_in import sign_in_staff
from identity.service_layer import invitation_acceptance, sessions
from identity.service_layer.errors import PracticeChoiceRequired, PractitionerDecisionRequired
from identity.service_layer.password_links import open_password_link
from servicekit.web.pages import MAX_NAME, field, password_field

WELCOME = "Welcome! Your account is ready."
CLINICAL_ROLES = [(role.value, role.value.replace("_", " ").capitalize()) for role in ClinicalRole]
NEW_RECORD = "new"
_CLINICAL_VALUES = frozenset(role.value for role in ClinicalRole)


@blueprint.route("/accept-invitation", methods=["GET", "POST"])
def accept_invitation() -> Response | tuple[str, int]:
    """The invitation mail's link: confirm the profile, choose a password, and join."""
    token = request.values.get("token") or ""
    ident = identity()
    opened = invitation_acceptance.open_invitation(ident.uow(), token=token, now=ident.now())
    invitation = opened.invitation
    link = invitation.practitioner
    form = {"full_name": invitation.full_name,
            "clinical_role": invitation.clinical_role.value if invitation.clinical_role else "",
            "practitioner": (link.existing_id if link and link.existing_id else NEW_RECORD)}
    page = {"token": token, "opened": opened, "clinical_roles": CLINICAL_ROLES,
            "practitioner_asked": invitation.role is PracticeRole.PRACTITIONER}
    if request.method == "GET":
        return render_template("app/accept_invitation.html", form=form, **page), 200
    form = {"full_name": field("full_name", MAX_NAME),
            "clinical_role": field("clinical_role", 64),
            "practitioner": field("practitioner", 64) or NEW_RECORD}
    password, again = password_field("password"), password_field("password_confirm")
    if not password or password != again:
        return render_template("app/accept_invitation.html", form=form, **page,
                               error="Type the same password in both password fields."), 422
    try:
        joined = invitation_acceptance.accept_invitation(
            ident.uow(), token=token, password=password, hashing=ident.hashing,
            catalog=ident.catalog, now=ident.now(), confirmation=_confirmation(form))
    except PractitionerDecisionRequired as decision:
        return render_template(
            "app/accept_invitation.html", form=form, **page, error=decision.message,
            duplicates=decision.details.get("possible_duplicates", [])), 409
    except PasswordRejected as rejected:
        return render_template("app/accept_invitation.html", form=form, **page,
                               error=rejected.message,
                               reasons=rejected.details.get("reasons", [])), 422
    return _signed_in(joined.email, password, joined.org_id)


@blueprint.route("/get-started", methods=["GET", "POST"])
def get_started() -> Response | tuple[str, int]:
    """The get-started mail of someone a User Manager added: choose the first password."""
    token = request.values.get("token") or ""
    ident = identity()
    holder = open_password_link(ident.uow(), token=token, kind="setup", now=ident.now())
    if request.method == "GET":
        return render_template("app/get_started.html", token=token, holder=holder), 200
    password, again = password_field("password"), password_field("password_confirm")
    if not password or password != again:
        return render_template("app/get_started.html", token=token, holder=holder,
                               error="Type the same password in both password fields."), 422
    try:
        sessions.set_password(ident.uow(), token=token, password=password,
                              hashing=ident.hashing, now=ident.now(), catalog=ident.catalog)
    except PasswordRejected as rejected:
        return render_template("app/get_started.html", token=token, holder=holder,
                               error=rejected.message,
                               reasons=rejected.details.get("reasons", [])), 422
    return _signed_in(holder.email, password, holder.practice_id)


def _confirmation(form: dict[str, str]) -> ProfileConfirmation:
    clinical = form["clinical_role"]
    choice = form["practitioner"]
    return ProfileConfirmation(
        full_name=form["full_name"],
        clinical_role=ClinicalRole(clinical) if clinical in _CLINICAL_VALUES else None,
        practitioner_id=None if choice == NEW_RECORD else choice,
        confirm_new_practitioner=request.form.get("confirm_new_practitioner") == "yes")


def _signed_in(email: str, password: str, practice_id: str | None) -> Response:
    """The new account signs in at once; should that fail, the sign-in page says why."""
    try:
        signed = sign_in_staff(email, password, practice_id)
    except SecondFactorEnrollmentRequired as enrol:  # a User Manager sets up the app first
        flash(WELCOME)
        return begin_enrollment(enrol.details["enrollment_token"], None)
    except (SignInRefused, TooManyAttempts, PracticeChoiceRequired, SecondFactorRequired):
        # The account exists: signing in by hand still works, and its page says why not.
        flash("Your account is ready. Sign in with your new password.")
        return redirect(url_for("staff_pages.login"))
    start_session(signed)
    flash(WELCOME)
    return redirect(url_for("staff_pages.home"))

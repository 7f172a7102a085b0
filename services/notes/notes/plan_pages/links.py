"""The link from the patient's mail: prove the address, see the plan, proceed or ask to pay
over time."""

from __future__ import annotations

from flask import redirect, render_template, session, url_for
from werkzeug.wrappers import Response

from notes.bootstrap import notes
from notes.domain.plan_links import hash_link_token
from notes.domain.treatment_plans import PatientChoice
from notes.plan_pages.blueprint import blueprint
from notes.service_layer import plan_pages
from servicekit.web.pages import field

PROVEN = "proven_links"  # the hashes of the links this browser proved the address of
MOST_PROVEN = 20
WRONG_ADDRESS = ("That is not the address this link was sent to. Type the email address the "
                 "treatment plan came to.")


def _proven(token: str) -> bool:
    return hash_link_token(token) in session.get(PROVEN, [])


def _remember(token: str) -> None:
    proven = [h for h in session.get(PROVEN, []) if h != hash_link_token(token)]
    session[PROVEN] = [*proven, hash_link_token(token)][-MOST_PROVEN:]


@blueprint.route("/t/<token>", methods=["GET"])
def open_link(token: str) -> tuple[str, int]:
    """The plan once this browser proved the address; until then, the address form."""
    app = notes()
    if not _proven(token):
        plan_pages.check_link(app.uow(), token, app.now())
        return _address_page(token, 200)
    shown = plan_pages.open_plan(app.uow(), token, app.now())
    return render_template("plan/plan.html", token=token, plan=shown), 200


@blueprint.route("/t/<token>", methods=["POST"])
def prove_address(token: str) -> Response | tuple[str, int]:
    app = notes()
    email = field("email")
    if email and plan_pages.confirm_address(app.uow(), token, email, app.now()):
        _remember(token)
        return redirect(url_for("plan.open_link", token=token), code=303)
    plan_pages.check_link(app.uow(), token, app.now())  # locked after too many wrong ones
    return _address_page(token, 422, error=WRONG_ADDRESS if email else
                         "Type the email address the treatment plan came to.")


@blueprint.route("/t/<token>/answer", methods=["POST"])
def answer(token: str) -> Response | tuple[str, int]:
    """Proceed with the plan, or ask the clinic for a payment plan."""
    if not _proven(token):
        return redirect(url_for("plan.open_link", token=token), code=303)
    try:
        choice = PatientChoice(field("choice"))
    except ValueError:
        shown = plan_pages.open_plan(notes().uow(), token, notes().now())
        return render_template("plan/plan.html", token=token, plan=shown,
                               error="Choose one of the two answers below."), 422
    app = notes()
    shown = plan_pages.choose(app.uow(), token, choice, app.now())
    return render_template("plan/answered.html", plan=shown, choice=choice.value), 200


def _address_page(token: str, status: int, error: str | None = None) -> tuple[str, int]:
    return render_template("plan/address.html", token=token, error=error), status

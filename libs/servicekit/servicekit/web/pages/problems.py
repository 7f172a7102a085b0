"""The error pages every set of server-rendered pages shows for what is not a rule of its own.

A service registers its own domain refusals; these cover the rest the same way everywhere: an
expired form, the shared request guards' refusals, HTTP errors (404, 405, 413...), the
database being unreachable, and anything unexpected. Each is a page with a title, what to do
next and the right status, never the API's JSON.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from flask import Blueprint
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import HTTPException

from servicekit.web.errors import AppError
from servicekit.web.pages.forms import FormExpired


@dataclass(frozen=True)
class Problem:
    status: int
    code: str
    title: str
    message: str


Render = Callable[[Problem], tuple[str, int]]


def install_page_problems(blueprint: Blueprint, render: Render, *, not_found: str,
                          unavailable_title: str, ask_for_help: str,
                          log: logging.Logger) -> None:
    """``not_found``: what to do at an unknown address; ``ask_for_help``: whom to ask."""
    http = {
        400: ("bad_request", "Something was wrong with that request",
              "Go back, reload the page and try again."),
        404: ("not_found", "Page not found", not_found),
        405: ("method_not_allowed", "Page not found", not_found),
        413: ("payload_too_large", "That was too much to send", "Go back and send less."),
    }

    @blueprint.errorhandler(FormExpired)
    def _form_expired(_: FormExpired) -> tuple[str, int]:
        return render(Problem(400, "form_expired", "This form has expired",
                              "Go back, reload the page and send the form again."))

    @blueprint.errorhandler(AppError)
    def _refused_by_plumbing(err: AppError) -> tuple[str, int]:
        # Refusals of the shared request guards (a NUL in the address, ...) keep their status.
        return render(Problem(err.status, err.code, "This did not work", err.message))

    @blueprint.errorhandler(HTTPException)
    def _http(err: HTTPException) -> tuple[str, int]:
        status = err.code or 500
        code, title, message = http.get(status, ("error", "This did not work",
                                                 "Go back and try again."))
        return render(Problem(status, code, title, message))

    @blueprint.errorhandler(Exception)
    def _unexpected(err: Exception) -> tuple[str, int]:
        if isinstance(err, sa_exc.OperationalError | sa_exc.InterfaceError):
            log.warning("database unreachable: %s", type(err).__name__)
            return render(Problem(503, "database_unavailable", unavailable_title,
                                  "We cannot reach our records right now; try again shortly."))
        log.error("unhandled %s", type(err).__name__, exc_info=err)
        return render(Problem(500, "internal_error", "Something went wrong on our side",
                              f"Try again; if it keeps failing, {ask_for_help}."))

"""Liveness and readiness: /healthz says the process answers, /readyz that it can work."""

import logging
from collections.abc import Callable, Mapping

from flask import Flask, Response, jsonify

from servicekit.web.errors import error_response

log = logging.getLogger("servicekit.health")

ReadinessChecks = Mapping[str, Callable[[], None]]


def run_readiness_checks(checks: ReadinessChecks) -> dict[str, str]:
    """Run each check (it raises on failure and bounds its own time); name -> outcome."""
    outcomes: dict[str, str] = {}
    for name, check in checks.items():
        try:
            check()
        except Exception as err:  # noqa: BLE001 - any failure means "not ready"
            # Only the class name: messages of driver errors can carry hosts and DSNs.
            log.warning("readiness check %s failed: %s", name, type(err).__name__)
            outcomes[name] = f"failed: {type(err).__name__}"
        else:
            outcomes[name] = "ok"
    return outcomes


def install_health(app: Flask, checks: ReadinessChecks | None = None) -> None:
    checks = dict(checks or {})

    def healthz() -> Response:
        return jsonify({"status": "ok"})

    def readyz() -> Response:
        outcomes = run_readiness_checks(checks)
        if all(outcome == "ok" for outcome in outcomes.values()):
            return jsonify({"status": "ready", "checks": outcomes})
        failed = ", ".join(name for name, outcome in outcomes.items() if outcome != "ok")
        return error_response(
            503, "not_ready",
            f"The service cannot reach {failed} right now; it stays out of rotation "
            "until they answer again.",
            {"checks": outcomes},
        )

    app.add_url_rule("/healthz", "servicekit_healthz", healthz, methods=["GET"])
    app.add_url_rule("/readyz", "servicekit_readyz", readyz, methods=["GET"])

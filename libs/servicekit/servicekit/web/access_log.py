"""One structured line per request, with no bodies, query strings, headers or tokens."""

import logging

from flask import Flask, Response, g, request

from servicekit.web.request_context import elapsed_seconds, route_label

access_log = logging.getLogger("servicekit.access")

# Probes and scrapes arrive every few seconds; at INFO they would drown the real traffic.
_QUIET_ROUTES = frozenset({"/healthz", "/readyz", "/metrics"})


def install_access_log(app: Flask) -> None:
    @app.after_request
    def _log_request(response: Response) -> Response:
        route = route_label()
        principal = g.get("principal")
        level = logging.DEBUG if route in _QUIET_ROUTES else logging.INFO
        access_log.log(
            level,
            "%s %s %s",
            request.method,
            route,
            response.status_code,
            extra={
                "method": request.method,
                "route": route,
                "status": response.status_code,
                "duration_ms": round(elapsed_seconds() * 1000, 2),
                "request_id": g.get("request_id"),
                "actor_id": getattr(principal, "user_id", None),
            },
        )
        return response

"""Prometheus metrics per app, with gunicorn's several workers summed when configured."""

import os

from flask import Flask, Response, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

from servicekit.web.request_context import elapsed_seconds, route_label


def _exposition_registry(own: CollectorRegistry) -> CollectorRegistry:
    # With several gunicorn workers each process writes its samples to files in this
    # directory; a scrape must read them all, not just the worker that answered.
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        merged = CollectorRegistry()
        multiprocess.MultiProcessCollector(merged)
        return merged
    return own


def install_metrics(app: Flask, service: str) -> CollectorRegistry:
    """Count and time every request, serve /metrics, and return the app's registry."""
    # One registry per app: tests build many apps in one process, and the default
    # global registry would refuse the second set of metrics with the same names.
    registry = CollectorRegistry()
    requests_total = Counter(
        "http_requests_total", "HTTP requests answered.",
        ["service", "method", "route", "status"], registry=registry,
    )
    duration = Histogram(
        "http_request_duration_seconds", "Time spent answering HTTP requests.",
        ["service", "method", "route"], registry=registry,
    )

    @app.after_request
    def _observe(response: Response) -> Response:
        route = route_label()
        requests_total.labels(service, request.method, route, str(response.status_code)).inc()
        duration.labels(service, request.method, route).observe(elapsed_seconds())
        return response

    def serve_metrics() -> Response:
        body = generate_latest(_exposition_registry(registry))
        return Response(body, mimetype=None, content_type=CONTENT_TYPE_LATEST)

    app.add_url_rule("/metrics", "servicekit_metrics", serve_metrics, methods=["GET"])
    return registry

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from flask import Blueprint as FlaskBlueprint
from prometheus_client import Counter

from servicekit.web import create_service_app


def appointments_app(name: str = "notes"):
    app = create_service_app(name=name)
    plain = FlaskBlueprint("appointments", __name__)
    plain.add_url_rule("/appointments/<appointment_id>", "show", lambda appointment_id: "ok")
    app.register_blueprint(plain)
    return app


def sample(metrics_text: str, prefix: str) -> float | None:
    for line in metrics_text.splitlines():
        if line.startswith(prefix):
            return float(line.rsplit(" ", 1)[1])
    return None


def test_metrics_count_requests_by_route_rule_and_status():
    app = appointments_app()
    client = app.test_client()
    client.get("/appointments/a-1")
    client.get("/appointments/a-2")
    client.get("/nowhere")
    text = client.get("/metrics").get_data(as_text=True)
    assert sample(
        text,
        'http_requests_total{method="GET",route="/appointments/<appointment_id>",'
        'service="notes",status="200"}',
    ) == 2.0
    assert sample(
        text, 'http_requests_total{method="GET",route="unmatched",service="notes",status="404"}'
    ) == 1.0
    assert sample(
        text,
        'http_request_duration_seconds_count{method="GET",'
        'route="/appointments/<appointment_id>",service="notes"}',
    ) == 2.0
    assert "a-1" not in text


def test_each_app_has_its_own_registry():
    first, second = appointments_app("identity"), appointments_app("audit")
    first.test_client().get("/appointments/a-1")
    text = second.test_client().get("/metrics").get_data(as_text=True)
    assert 'service="identity"' not in text
    assert sample(text, 'http_requests_total{method="GET",route="/appointments') is None


def test_services_can_register_their_own_metrics():
    app = appointments_app()
    shares = Counter(
        "shares_claimed_total", "Shares claimed.",
        registry=app.extensions["servicekit.metrics_registry"],
    )
    shares.inc(3)
    text = app.test_client().get("/metrics").get_data(as_text=True)
    assert sample(text, "shares_claimed_total ") == 3.0


def test_metrics_of_several_gunicorn_workers_are_summed(tmp_path: Path):
    # prometheus_client picks its multiprocess storage at import, so run in a fresh process.
    script = textwrap.dedent(
        """
        from servicekit.web import create_service_app
        app = create_service_app(name="docportal")
        app.test_client().get("/healthz")
        print(app.test_client().get("/metrics").get_data(as_text=True))
        """
    )
    env = dict(os.environ, PROMETHEUS_MULTIPROC_DIR=str(tmp_path),
               PYTHONPATH=str(Path(__file__).parents[2]))
    runs = [
        subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                       text=True, check=True, timeout=60)
        for _ in range(2)
    ]
    assert list(tmp_path.glob("counter_*.db"))
    prefix = ('http_requests_total{method="GET",route="/healthz",service="docportal",'
              'status="200"}')
    assert sample(runs[0].stdout, prefix) == 1.0
    assert sample(runs[1].stdout, prefix) == 2.0

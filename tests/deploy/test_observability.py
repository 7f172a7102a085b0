"""deploy/observability: the dashboard and the alert rules name only metrics that exist.

A metric is either exported by our code (a prometheus_client Counter/Histogram/Gauge found in
services/ or libs/), PLANNED (not yet exported: the list says where it is to be emitted), or
EXTERNAL (exported by RabbitMQ or Prometheus itself). Anything else is a typo or a metric
nobody will ever see, and fails here.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
OBSERVABILITY = REPO / "deploy" / "observability"
RUNBOOK = REPO / "docs" / "operations.md"

# Not exported yet: name -> where it is to be emitted (docs/operations.md, "Metrics").
PLANNED: dict[str, str] = {}
# Exported by someone else: name -> by whom.
EXTERNAL = {
    "rabbitmq_queue_messages_ready": "RabbitMQ rabbitmq_prometheus, per-object metrics",
    "rabbitmq_queue_messages": "RabbitMQ rabbitmq_prometheus, per-object metrics",
    "rabbitmq_queue_consumers": "RabbitMQ rabbitmq_prometheus, per-object metrics",
}

PROMQL_WORDS = {
    "sum", "min", "max", "avg", "count", "stddev", "stdvar", "topk", "bottomk", "quantile",
    "count_values", "group", "by", "without", "on", "ignoring", "group_left", "group_right",
    "and", "or", "unless", "bool", "offset", "inf", "nan",
}
HISTOGRAM_SUFFIXES = ("_bucket", "_sum", "_count")


def exported_metrics() -> dict[str, str]:
    """Metric names our code registers with prometheus_client, as the scrape shows them."""
    found: dict[str, str] = {}
    pattern = re.compile(r"\b(Counter|Histogram|Gauge|Summary)\(\s*[\"']([a-zA-Z_:][\w:]*)[\"']")
    for root in (REPO / "libs", REPO / "services"):
        for path in root.rglob("*.py"):
            if "tests" in path.parts:
                continue
            for kind, name in pattern.findall(path.read_text()):
                if kind == "Counter" and not name.endswith("_total"):
                    name += "_total"  # prometheus_client adds it on exposition
                found[name] = kind
    return found


def metric_names(expr: str) -> set[str]:
    """The metric names a PromQL expression reads (functions, keywords and labels left out)."""
    expr = re.sub(r"label_values\(\s*([\w:]+)[^)]*\)", r"\1", expr)
    expr = re.sub(r'"(?:\\.|[^"\\])*"', '""', expr)  # string literals
    expr = re.sub(r"\{[^}]*\}", "", expr)  # label matchers
    expr = re.sub(r"\[[^\]]*\]", "", expr)  # range selectors
    expr = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", expr)
    expr = re.sub(r"\$\{?\w+\}?", "", expr)  # dashboard variables
    names = set()
    for match in re.finditer(r"(?<![\w.])([a-zA-Z_:][\w:]*)(\s*\()?", expr):
        name, call = match.group(1), match.group(2)
        if call or name.lower() in PROMQL_WORDS:
            continue
        names.add(name)
    return names


def base_name(name: str, exported: dict[str, str]) -> str:
    for suffix in HISTOGRAM_SUFFIXES:
        stem = name.removesuffix(suffix)
        if stem != name and (exported.get(stem) in {"Histogram", "Summary"} or stem in PLANNED):
            return stem
    return name


def alert_rules() -> list[dict]:
    doc = yaml.safe_load((OBSERVABILITY / "alerts.yaml").read_text())
    return [rule for group in doc["groups"] for rule in group["rules"]]


def dashboard() -> dict:
    return json.loads((OBSERVABILITY / "grafana-dashboard.json").read_text())


def dashboard_exprs() -> list[str]:
    exprs = [t["expr"] for p in dashboard()["panels"] for t in p.get("targets", [])]
    for variable in dashboard()["templating"]["list"]:
        if variable["type"] == "query":
            exprs.append(variable["definition"])
    return exprs


def all_exprs() -> list[str]:
    return [rule["expr"] for rule in alert_rules()] + dashboard_exprs()


def test_the_extractor_finds_metrics_and_nothing_else():
    expr = ('histogram_quantile(0.95, sum by (le, route) (rate(http_request_duration_seconds_bucket'
            '{service=~"$service", route!="x"}[5m]))) / on(service) group_left up > 0.5')
    assert metric_names(expr) == {"http_request_duration_seconds_bucket", "up"}


def test_every_metric_named_is_exported_planned_or_external():
    exported = exported_metrics()
    assert {"http_requests_total", "http_request_duration_seconds"} <= exported.keys()
    unknown = set()
    for expr in all_exprs():
        names = metric_names(expr)
        assert names, f"no metric in {expr!r}"
        for name in names:
            known = base_name(name, exported)
            if known not in exported and known not in PLANNED and known not in EXTERNAL:
                unknown.add(name)
    assert not unknown, f"neither exported, PLANNED nor EXTERNAL: {sorted(unknown)}"


def test_planned_metrics_are_not_exported_yet_and_are_all_used():
    exported = exported_metrics()
    now_exported = PLANNED.keys() & exported.keys()
    assert not now_exported, f"exported now, move them out of PLANNED: {sorted(now_exported)}"
    used = {base_name(n, exported) for e in all_exprs() for n in metric_names(e)}
    assert PLANNED.keys() <= used and EXTERNAL.keys() <= used


def test_every_alert_has_a_severity_a_summary_and_a_runbook_section():
    runbook = RUNBOOK.read_text().lower()
    headings = set(re.findall(r"^#+\s+`?([a-z0-9]+)`?\s*$", runbook, re.M))
    names = [rule["alert"] for rule in alert_rules()]
    assert len(names) == len(set(names))
    for rule in alert_rules():
        assert rule["labels"]["severity"] in {"warning", "critical"}, rule["alert"]
        assert rule["annotations"]["summary"] and rule["annotations"]["description"]
        anchor = rule["annotations"]["runbook_url"].split("#", 1)[1]
        assert anchor in headings, f"{rule['alert']}: no section #{anchor} in operations.md"


def test_the_issue_asks_for_these_alerts():
    exprs = {rule["alert"]: rule["expr"] for rule in alert_rules()}
    wanted = {
        "RelayLagHigh": "outbox_oldest_unsent_age_seconds",
        "DeadLettersWaiting": "rabbitmq_queue_messages",
        "ConsumerDown": "rabbitmq_queue_consumers",
        "HttpServerErrorRateHigh": "http_requests_total",
        "UnrecognizedProfile": "audit_alerts_raised_total",
        "UnroutedEventsWaiting": "bus_unrouted_messages",
    }
    for alert, metric in wanted.items():
        assert metric in metric_names(exprs[alert]), alert


def test_the_dashboard_has_unique_panels_each_with_a_query_on_the_chosen_datasource():
    panels = dashboard()["panels"]
    ids = [p["id"] for p in panels]
    assert len(ids) == len(set(ids))
    for panel in panels:
        if panel["type"] == "row":
            continue
        assert panel["targets"] and panel["title"], panel["id"]
        assert panel["datasource"]["uid"] == "${datasource}"
        grid = panel["gridPos"]
        assert grid["x"] + grid["w"] <= 24


def test_the_dashboard_covers_what_the_issue_asks_for():
    exported = exported_metrics()
    used = {base_name(n, exported) for e in dashboard_exprs() for n in metric_names(e)}
    for metric in ("http_requests_total", "http_request_duration_seconds",
                   "outbox_events_published_total", "outbox_oldest_unsent_age_seconds",
                   "consumer_event_lag_seconds", "consumer_handler_failures_total",
                   "consumer_dead_letters_total", "s3_errors_total", "smtp_errors_total",
                   "audit_alerts_raised_total"):
        assert metric in used, metric


@pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool is not installed")
def test_promtool_parses_the_alert_rules_and_every_dashboard_query(tmp_path):
    # The dashboard's queries become recording rules, so promtool parses them too.
    variables = {"$__rate_interval": "5m", "$service": ".*"}
    queries = []
    for n, expr in enumerate(e for e in dashboard_exprs() if not e.startswith("label_values")):
        for name, value in variables.items():
            expr = expr.replace(name, value)
        queries.append({"record": f"clinic_dashboard:query_{n}", "expr": expr})
    dashboard_rules = tmp_path / "dashboard-rules.yaml"
    dashboard_rules.write_text(yaml.safe_dump({"groups": [{"name": "d", "rules": queries}]}))
    result = subprocess.run(
        ["promtool", "check", "rules", str(OBSERVABILITY / "alerts.yaml"), str(dashboard_rules)],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr

"""The metrics of the relay, the consumers and the mailer, on prometheus_client's default registry.

The APIs' HTTP metrics live in web/metrics.py, one registry per app. These are per process: a
relay or consumer serves them on METRICS_PORT (``servicekit.worker_status``); an API under gunicorn
with PROMETHEUS_MULTIPROC_DIR serves them on /metrics along with its HTTP metrics, because in
that mode every metric of the process is written to the shared files.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

# From a healthy few milliseconds to an hour behind; ConsumerLagHigh fires at the 60 s bucket.
LAG_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900, 1800, 3600)

outbox_events_published = Counter(
    "outbox_events_published_total",
    "Events the relay published with confirms and marked sent.",
    ["service", "type"],
)
outbox_oldest_unsent_age = Gauge(
    "outbox_oldest_unsent_age_seconds",
    "Age of the oldest outbox event not yet published, measured each relay poll; 0 when none.",
    ["service"],
    multiprocess_mode="livemax",
)
consumer_events_handled = Counter(
    "consumer_events_handled_total",
    "Events a consumer handled and acked (redeliveries the inbox absorbed included).",
    ["service", "queue"],
)
consumer_event_lag = Histogram(
    "consumer_event_lag_seconds",
    "Time from an event's occurred_at to its handling by a consumer.",
    ["service", "queue"],
    buckets=LAG_BUCKETS,
)
consumer_handler_failures = Counter(
    "consumer_handler_failures_total",
    "Failed attempts to handle an event (each retry counts).",
    ["service", "queue"],
)
consumer_dead_letters = Counter(
    "consumer_dead_letters_total",
    "Events a consumer gave up on and moved to <queue>.dead.",
    ["service", "queue", "reason"],
)
bus_unrouted_messages = Gauge(
    "bus_unrouted_messages",
    "Events waiting in clinic.unrouted (no queue was bound for them), as a relay last saw.",
    ["service"],
    multiprocess_mode="livemax",
)
smtp_errors = Counter(
    "smtp_errors_total",
    "Mails the SMTP server could not be reached for or refused.",
    ["service"],
)
mail_outbox_attempts = Counter(
    "mail_outbox_attempts_total",
    "Attempts to send a mail from the mail outbox, by kind and outcome (sent, failed, given_up).",
    ["service", "kind", "outcome"],
)
mail_outbox_oldest_pending_age = Gauge(
    "mail_outbox_oldest_pending_age_seconds",
    "Age of the oldest mail in the mail outbox not yet sent, measured each pass; 0 when none.",
    ["service"],
    multiprocess_mode="livemax",
)

_process_service = "unknown"


def name_process(service: str) -> None:
    """Label this process's metrics with ``service`` where the code does not name one."""
    global _process_service
    _process_service = service


def process_service() -> str:
    return _process_service

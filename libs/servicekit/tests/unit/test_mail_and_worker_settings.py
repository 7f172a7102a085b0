"""smtp_errors_total counts failed sends; METRICS_PORT is off unless set."""

import uuid
from email.message import EmailMessage

import pytest
from prometheus_client import REGISTRY

from servicekit import metrics
from servicekit.config import ServiceConfig, load_config
from servicekit.mail import MailUnavailable, SmtpMailer


def smtp_errors(service: str) -> float:
    return REGISTRY.get_sample_value("smtp_errors_total", {"service": service}) or 0.0


def a_message(mailer: SmtpMailer) -> EmailMessage:
    return mailer.message("someone@example.org", "Hello", "A body.")


@pytest.fixture
def process_named():
    before = metrics.process_service()
    yield metrics.name_process
    metrics.name_process(before)


def test_a_failed_send_counts_an_smtp_error_for_the_service(dead_smtp_url):
    service = f"svc-{uuid.uuid4().hex[:6]}"
    mailer = SmtpMailer(dead_smtp_url, "x@y.example", service=service)
    with pytest.raises(MailUnavailable):
        mailer.send(a_message(mailer))
    assert smtp_errors(service) == 1


def test_a_mailer_built_the_old_way_is_labelled_with_the_process_service(
    dead_smtp_url, process_named
):
    mailer = SmtpMailer(dead_smtp_url, "x@y.example")
    service = f"svc-{uuid.uuid4().hex[:6]}"
    process_named(service)  # after the mailer was built, as build_app may do
    with pytest.raises(MailUnavailable):
        mailer.send(a_message(mailer))
    assert smtp_errors(service) == 1


def test_a_delivered_mail_counts_no_error(mail_sink):
    service = f"svc-{uuid.uuid4().hex[:6]}"
    mailer = SmtpMailer(mail_sink.url, "x@y.example", service=service)
    mailer.send(a_message(mailer))
    assert smtp_errors(service) == 0


def test_worker_metrics_port_is_off_unless_set():
    assert load_config(ServiceConfig, "notes", environ={}).metrics_port is None
    config = load_config(ServiceConfig, "notes", environ={"METRICS_PORT": "9464"})
    assert config.metrics_port == 9464
    with pytest.raises(ValueError, match="METRICS_PORT"):
        load_config(ServiceConfig, "notes", environ={"METRICS_PORT": "nine"})

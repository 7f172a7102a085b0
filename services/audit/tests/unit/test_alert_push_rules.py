"""Alert pushes: which channels a step goes to, the signature receivers check, the backoff."""

from datetime import timedelta

import pytest

from audit.domain.alert_push import (
    MAIL,
    WEBHOOK,
    WebhookRefused,
    channels_for,
    check_webhook,
    is_dead,
    mail_text,
    retry_delay,
    signature,
    signature_matches,
    webhook_body,
)

SECRET = "s" * 32
BODY = b'{"type": "audit.alert.raised"}'


def test_the_signature_is_an_hmac_of_timestamp_and_body_in_stripes_format():
    header = signature(SECRET, 1_700_000_000, BODY)
    assert header.startswith("t=1700000000,v1=") and len(header.rpartition("=")[2]) == 64
    assert signature_matches(SECRET, header, BODY, now=1_700_000_010)


@pytest.mark.parametrize("change", ["body", "secret", "timestamp"])
def test_a_changed_body_secret_or_timestamp_does_not_match(change):
    header = signature(SECRET, 1_700_000_000, BODY)
    if change == "timestamp":
        header = header.replace("t=1700000000", "t=1700000001")
    assert not signature_matches("x" * 32 if change == "secret" else SECRET, header,
                                 BODY + b" " if change == "body" else BODY, now=1_700_000_000)


def test_an_old_signature_is_a_replay():
    header = signature(SECRET, 1_700_000_000, BODY)
    assert not signature_matches(SECRET, header, BODY, now=1_700_000_000 + 301)


def test_retries_back_off_doubling_from_one_second_to_at_most_five_minutes():
    assert [retry_delay(n).total_seconds() for n in range(1, 8)] == [1, 2, 4, 8, 16, 32, 64]
    assert retry_delay(30) == timedelta(minutes=5)
    assert not is_dead(7, 8) and is_dead(8, 8)


def test_every_step_goes_to_the_webhook_and_raised_or_reopened_ones_also_by_mail():
    assert channels_for("audit.alert.raised", has_webhook=True) == (WEBHOOK, MAIL)
    assert channels_for("audit.alert.reopened", has_webhook=False) == (MAIL,)
    assert channels_for("audit.alert.acknowledged", has_webhook=True) == (WEBHOOK,)
    assert channels_for("audit.alert.resolved", has_webhook=False) == ()


def test_the_body_and_the_mail_carry_the_finding_and_nothing_else():
    facts = {"alert_id": "a-1", "reason": "unrecognized_domain", "severity": "high",
             "profile_id": "u-1", "profile_email": "eve@intruder.example", "status": "open",
             "changed_by": "system", "triggering_event_id": "e-1",
             "patient_id": "p-1", "message": "Eve Intruder (eve@intruder.example)"}
    body = webhook_body("audit.alert.raised", "ev-1", "2026-12-10T10:00:00+00:00", "org-1",
                        facts)
    assert "patient_id" not in body["alert"] and "message" not in body["alert"]
    subject, text = mail_text(body["alert"], "https://clinic.example/api/audit/alerts")
    assert subject == "[HIGH] Audit alert: unrecognized domain"
    assert "eve@intruder.example" in text and "p-1" not in text


@pytest.mark.parametrize(("url", "allow_http"), [
    ("http://siem.example/hook", False), ("ftp://siem.example/hook", True),
    ("https:///hook", False), ("https://user:pw@siem.example/hook", False)])
def test_a_webhook_url_must_be_https_with_a_host_and_no_credentials(url, allow_http):
    with pytest.raises(WebhookRefused):
        check_webhook(url, None, allow_http=allow_http)


def test_a_short_secret_is_refused():
    with pytest.raises(WebhookRefused, match="24 to 200"):
        check_webhook("https://siem.example/hook", "short", allow_http=False)
    check_webhook("http://127.0.0.1:9/hook", SECRET, allow_http=True)

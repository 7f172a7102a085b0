"""JSON log lines on stderr, each carrying the service name and the current request id."""

import logging
import re
import sys
from typing import TextIO

from pythonjsonlogger.json import JsonFormatter

from servicekit.context import current_request_id

# Secrets that slip into a message ("Bearer eyJ...", "password=...") are masked, not dropped:
# the line still says what happened.
_SECRETS = [
    (re.compile(r"(?i)\bbearer\s+[A-Za-z0-9._~+/=-]+"), "Bearer [redacted]"),
    (re.compile(r"\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*"), "[redacted-jwt]"),
    (
        re.compile(r"(?i)\b(password|passwd|secret|token)(\"?\s*[:=]\s*\"?)[^\s\"',&}]+"),
        r"\1\2[redacted]",
    ),
]


def redact(text: str) -> str:
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return text


class ServiceContextFilter(logging.Filter):
    """Stamp each record with the service and request id, and mask secrets in the message."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def filter(self, record: logging.LogRecord) -> bool:
        record.service = self.service
        if getattr(record, "request_id", None) is None:
            record.request_id = current_request_id()
        message = record.getMessage()
        masked = redact(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


class _ServiceLogHandler(logging.StreamHandler[TextIO]):
    """The handler ``configure_logging`` installs, found by its class when called again."""


def configure_logging(service: str, level: str = "INFO") -> None:
    """Send JSON lines to stderr from the root logger; calling it again replaces the setup."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler, _ServiceLogHandler):
            root.removeHandler(handler)
    handler = _ServiceLogHandler(sys.stderr)
    handler.addFilter(ServiceContextFilter(service))
    handler.setFormatter(
        JsonFormatter(
            "{levelname}{name}{message}",
            style="{",
            rename_fields={"levelname": "level", "name": "logger"},
            timestamp=True,
        )
    )
    root.addHandler(handler)
    root.setLevel(level.upper())

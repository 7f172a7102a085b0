"""Calling a practice's alert webhook over HTTP(S): one signed POST, no redirects."""

from __future__ import annotations

import urllib.error
import urllib.request

from audit.domain.alert_push import SIGNATURE_HEADER, signature


class DeliveryFailed(Exception):
    """The receiver could not be reached or did not answer 2xx."""


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # A redirect would carry the signed body somewhere the practice never configured.
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


class WebhookSender:
    def __init__(self, timeout_seconds: float) -> None:
        self._timeout = timeout_seconds
        self._opener = urllib.request.build_opener(_NoRedirects())

    def post(self, url: str, secret: str, body: bytes, *, delivery_id: int,
             timestamp: int) -> None:
        request = urllib.request.Request(url, data=body, method="POST", headers={
            "Content-Type": "application/json", "User-Agent": "clinic-audit-alert-push/1",
            SIGNATURE_HEADER: signature(secret, timestamp, body),
            "X-Clinic-Delivery": str(delivery_id)})
        try:
            with self._opener.open(request, timeout=self._timeout) as answer:
                status = answer.status
        except urllib.error.HTTPError as err:
            raise DeliveryFailed(f"HTTP {err.code}") from None
        except (OSError, ValueError) as err:
            raise DeliveryFailed(type(err).__name__) from None
        if not 200 <= status < 300:
            raise DeliveryFailed(f"HTTP {status}")

"""Audit's access reports over HTTP, called straight at AUDIT_URL (not the gateway).

Identity never imports audit's code: the User Manager's console asks audit's API, with the
signed-in manager's own access token, so audit applies its own rules (view_audit, the
manager's practice only) and records the read. Audit's refusals come back as
``AuditRefused`` (status, code, message); no answer, a 5xx or a body that is not the
platform's error shape is ``AuditUnavailable``. Tokens never reach a log line here.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Protocol

import requests

log = logging.getLogger("identity.audit_reports")

TIMEOUT_SECONDS = (3.05, 20)
UNAVAILABLE = "The audit record cannot be read right now; try again in a few minutes."


class AuditUnavailable(Exception):
    pass


class AuditRefused(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@dataclass(frozen=True)
class AccessReportRow:
    patient_id: str
    records: int
    first_access: str | None
    last_access: str | None


@dataclass(frozen=True)
class AccessReport:
    user_id: str
    total_records: int
    rows: tuple[AccessReportRow, ...]
    by_action: dict[str, int]
    first_access: str | None
    last_access: str | None


class AuditReports(Protocol):
    def user_access_report(self, token: str, user_id: str) -> AccessReport: ...

    def user_access_report_csv(self, token: str, user_id: str) -> bytes: ...


class HttpAuditReports:
    def __init__(self, audit_url: str) -> None:
        self.base_url = audit_url.rstrip("/")
        self._http = requests.Session()

    def user_access_report(self, token: str, user_id: str) -> AccessReport:
        """Every patient ``user_id`` touched and how many records, since the first record."""
        body = self._get(token, {"user_id": user_id, "format": "json"}).json()
        return _report(body)

    def user_access_report_csv(self, token: str, user_id: str) -> bytes:
        return self._get(token, {"user_id": user_id, "format": "csv"}).content

    def _get(self, token: str, params: dict[str, str]) -> requests.Response:
        try:
            response = self._http.get(f"{self.base_url}/reports/access", params=params,
                                      headers={"Authorization": f"Bearer {token}"},
                                      timeout=TIMEOUT_SECONDS)
        except requests.RequestException as err:
            log.warning("audit access report unreachable: %s", type(err).__name__)
            raise AuditUnavailable(UNAVAILABLE) from None
        if response.status_code < 400:
            return response
        error = _json(response).get("error")
        if response.status_code >= 500 or not isinstance(error, dict):
            log.warning("audit access report answered %s", response.status_code)
            raise AuditUnavailable(UNAVAILABLE)
        raise AuditRefused(response.status_code, str(error.get("code") or "refused"),
                           str(error.get("message") or ""))


def _report(body: Any) -> AccessReport:
    try:
        rows = tuple(AccessReportRow(str(r["key"]), int(r["records"]), r.get("first_access"),
                                     r.get("last_access")) for r in body["rows"])
        return AccessReport(str(body["subject_id"]), int(body["total_records"]), rows,
                            dict(body.get("by_action") or {}), body.get("first_access"),
                            body.get("last_access"))
    except (KeyError, TypeError, ValueError):
        log.warning("audit access report had an unexpected shape")
        raise AuditUnavailable(UNAVAILABLE) from None


def _json(response: requests.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}

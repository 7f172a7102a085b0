"""Where billing exports go: a billing system's HTTP endpoint, or a local folder by default.

Both take the export's id as its idempotency key, so a send repeated after a worker died
between sending and recording it is recognized as the same export by the receiver.
"""

from __future__ import annotations

import json
import os
import tempfile
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any


class BillingSendFailed(Exception):
    """The billing system could not be reached or did not take the export; tried again."""


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # A redirect would carry the billing sheet (and the token) somewhere nobody configured.
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


class HttpBillingSender:
    """POST the export as JSON with ``Idempotency-Key: <export id>`` (and a bearer token)."""

    def __init__(self, url: str, token: str | None, timeout_seconds: float) -> None:
        self.url, self._token, self._timeout = url, token, timeout_seconds
        self._opener = urllib.request.build_opener(_NoRedirects())

    @property
    def where(self) -> str:
        return self.url

    def send(self, export_id: str, document: dict[str, Any]) -> None:
        headers = {"Content-Type": "application/json", "Idempotency-Key": export_id,
                   "User-Agent": "clinic-notes-billing-export/1"}
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        request = urllib.request.Request(self.url, data=json.dumps(document).encode(),
                                         method="POST", headers=headers)
        try:
            with self._opener.open(request, timeout=self._timeout) as answer:
                status = answer.status
        except urllib.error.HTTPError as err:
            raise BillingSendFailed(f"HTTP {err.code}") from None
        except (OSError, ValueError) as err:
            raise BillingSendFailed(type(err).__name__) from None
        if not 200 <= status < 300:
            raise BillingSendFailed(f"HTTP {status}")


class FolderBillingSender:
    """The local default: each export as ``<folder>/<export id>.json``, written atomically.

    A file that is already there is that export sent before (the idempotency key is the name).
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @property
    def where(self) -> str:
        return str(self.folder)

    def send(self, export_id: str, document: dict[str, Any]) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        target = self.folder / f"{export_id}.json"
        if target.exists():
            return
        handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=".export-", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(document, out, indent=2, sort_keys=True)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, target)
        except OSError as err:
            Path(temporary).unlink(missing_ok=True)
            raise BillingSendFailed(f"cannot write {target}: {type(err).__name__}") from None

"""The notes service's note PDFs over HTTP, called straight at NOTES_URL with the caller's token.

Notes' refusals (404 not in your practice, 403 not allowed, 409 not finalized, 410 a
discarded draft, 401 token refused) come back as ``NoteRefused`` with notes' status, code and
message; anything else (no answer, a 5xx, a body that is neither a PDF nor the platform's
error shape) is ``NoteUnavailable``. A 202 (another request is rendering that version of the
PDF) is asked again after its Retry-After, for up to RENDER_WAIT_SECONDS. The token never
reaches a log line.
"""

from __future__ import annotations

import logging
import time
from typing import Any
from urllib.parse import quote

import requests

from docportal.service_layer.documents import NotePdf, NoteRefused, NoteUnavailable

log = logging.getLogger("docportal.notes")

TIMEOUT_SECONDS = (3.05, 30)
UNAVAILABLE = ("The notes service is not available right now, so the note could not be "
               "attached; try again in a few minutes.")
# Notes' refusals passed on with their status: (docportal's code or None for notes' own, text).
_WORDING: dict[int, tuple[str | None, str]] = {
    404: ("note_not_found", "The notes service has no such note in your practice; check the "
                            "note and try again."),
    403: ("note_access_refused", "The notes service does not let you read this note: {notes}"),
    409: (None, "The note cannot be attached yet: {notes}"),
    410: (None, "The note cannot be attached: {notes}"),  # a discarded draft
    401: (None, "The notes service did not accept your sign-in: {notes}"),
}
_CHUNK = 64 * 1024
# How long an attach waits for a PDF that another request is rendering (a render takes about
# a second) before it answers 503 with STILL_RENDERING.
RENDER_WAIT_SECONDS = 15.0
STILL_RENDERING = ("The note's PDF is still being prepared, so the note could not be attached; "
                   "try again in a minute.")


class HttpNotePdfs:
    def __init__(self, notes_url: str) -> None:
        self.base_url = notes_url.rstrip("/")
        self._http = requests.Session()

    def note_pdf(self, note_id: str, *, access_token: str, max_bytes: int) -> NotePdf:
        # Quoted whole: an id like "../patients/x" must not reach another notes endpoint.
        url = f"{self.base_url}/notes/{quote(note_id, safe='')}/pdf"
        deadline = time.monotonic() + RENDER_WAIT_SECONDS
        while True:
            pdf, retry_after = self._once(url, note_id, access_token, max_bytes)
            if pdf is not None:
                return pdf
            # 202: another request is rendering this version; it is a second or two away.
            if time.monotonic() + retry_after > deadline:
                raise NoteUnavailable(STILL_RENDERING)
            time.sleep(retry_after)

    def _once(self, url: str, note_id: str, access_token: str, max_bytes: int
              ) -> tuple[NotePdf | None, float]:
        try:
            with self._http.get(url, headers={"Authorization": f"Bearer {access_token}",
                                              "Accept": "application/pdf"},
                                timeout=TIMEOUT_SECONDS, stream=True) as response:
                if response.status_code == 202:
                    return None, _retry_after(response)
                if response.status_code != 200:
                    raise _refusal(response, note_id)
                return _pdf(response, max_bytes), 0.0
        except requests.RequestException as err:
            log.warning("notes unreachable: %s", type(err).__name__)
            raise NoteUnavailable(UNAVAILABLE) from None


def _retry_after(response: requests.Response) -> float:
    try:
        return min(max(float(response.headers.get("Retry-After", "1")), 0.2), 5.0)
    except ValueError:
        return 1.0


def _pdf(response: requests.Response, max_bytes: int) -> NotePdf:
    patient_id = response.headers.get("X-Patient-Id")
    if not patient_id:
        log.warning("notes answered a PDF without its patient id")
        raise NoteUnavailable(UNAVAILABLE)
    content = bytearray()
    # One byte past the limit is enough for the upload check to refuse it as too large.
    for chunk in response.iter_content(_CHUNK):
        content += chunk
        if len(content) > max_bytes:
            break
    return NotePdf(patient_id=patient_id, content=bytes(content[: max_bytes + 1]))


def _refusal(response: requests.Response, note_id: str) -> Exception:
    status, error = response.status_code, _json(response).get("error")
    if status not in _WORDING or not isinstance(error, dict):
        log.warning("notes answered %s", status)
        return NoteUnavailable(UNAVAILABLE)
    notes_code = str(error.get("code") or "")
    code, wording = _WORDING[status]
    return NoteRefused(status, code or notes_code or "note_refused",
                       wording.format(notes=str(error.get("message") or "").strip()),
                       {"note_id": note_id, "notes_error": notes_code})


def _json(response: requests.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}

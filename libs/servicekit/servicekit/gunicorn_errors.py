"""gunicorn's own refusals in the platform's error shape, not its HTML page.

gunicorn answers itself when it will not read a request (a malformed request line or header,
a limit passed, an unsupported transfer coding) and when the app raises past Flask. Behind the
gateway nginx refuses most such requests first (docs/gateway.md); whatever still reaches
gunicorn, or comes straight to a service, gets JSON. The gateway cannot tell these apart from
a service's own 400 or 500, so it does not intercept them. gunicorn has no hook for its error
page: its worker writes it through ``gunicorn.util.write_error``, replaced here in each worker.
"""

from __future__ import annotations

import json
import socket

from gunicorn import util

_ANSWERS: dict[int, tuple[str, str]] = {
    400: ("bad_request", "The request could not be read; check its syntax and send it again."),
    403: ("forbidden", "This request is not accepted here."),
    414: ("uri_too_long", "The address is too long; send the data in the request body instead."),
    417: ("expectation_failed", "Send the request without its Expect header."),
    431: ("request_header_too_large",
          "The request headers are too large; send fewer or smaller headers."),
    501: ("not_implemented",
          "This transfer encoding is not supported; send the body with Content-Length."),
}
_INTERNAL = ("internal_error", "Something went wrong on our side; try again shortly.")


def write_json_error(sock: socket.socket, status_int: int, reason: str, mesg: str) -> None:
    """What gunicorn sends for its own refusals; ``mesg`` (its parser's words) stays in its log."""
    code, message = _ANSWERS.get(status_int, _INTERNAL)
    body = json.dumps({"error": {"code": code, "message": message, "details": {}}}).encode()
    head = (f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n")
    util.write_nonblock(sock, head.encode("latin-1") + body)


def install() -> None:
    util.write_error = write_json_error

"""No answer of a service is kept by a cache: answers name patients and carry tokens.

Every response gets ``Cache-Control: no-store`` unless its view chose its own (the pages'
``private, no-store``, a static stylesheet's revalidation). Set once here, for every app
servicekit builds, so no route of any service can forget it.
"""

from flask import Flask, Response

NO_STORE = "no-store"


def install_no_store(app: Flask) -> None:
    @app.after_request
    def _no_store(response: Response) -> Response:
        response.headers.setdefault("Cache-Control", NO_STORE)
        return response

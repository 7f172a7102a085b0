"""The HTTP response that carries a document's bytes, for staff downloads and the portal."""

from __future__ import annotations

from collections.abc import Mapping

from flask import Response

from docportal.service_layer.ports import StoredObject


def file_response(stored: StoredObject, *, content_type: str, disposition: str,
                  headers: Mapping[str, str] = {}) -> Response:  # noqa: B006 - read only
    """Stream ``stored``, or hand its signed URL to the gateway (X-Accel-Redirect).

    Either way the checks and the recorded view or download happened before this: the
    gateway only fetches what docportal already allowed, with a URL that dies in a minute.
    """
    common = {
        "Content-Disposition": disposition,
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-store",
        **headers,
    }
    if stored.offload_path is not None:
        response = Response(b"", mimetype=content_type)
        response.headers.update({**common, "X-Accel-Redirect": stored.offload_path})
        return response
    response = Response(stored.chunks, mimetype=content_type, direct_passthrough=True)
    response.call_on_close(stored.close)
    response.headers.update({**common, "Content-Length": str(stored.size_bytes)})
    return response

"""Shared with me, one document in the browser, and its bytes (inline or as a download).

Every request checks again that the share is claimed by this account and not revoked, so
a revocation stops the very next page view or download. The bytes are streamed through
the service: the object store is never exposed to the browser.
"""

from __future__ import annotations

from urllib.parse import quote

from flask import render_template, request
from werkzeug.wrappers import Response

from docportal.api.files import file_response
from docportal.bootstrap import docportal
from docportal.portal.blueprint import blueprint, client_description, signed_in
from docportal.service_layer import recipients

INLINE_TYPES = frozenset({"application/pdf", "image/png", "image/jpeg"})


@blueprint.route("/shared", methods=["GET"])
def shared() -> Response | tuple[str, int]:
    """Every document shared with this account and claimed, by practice and date."""
    recipient = signed_in()
    if isinstance(recipient, Response):
        return recipient
    portal = docportal()
    found = recipients.shared_with_me(portal.uow(), recipient, portal.now())
    return render_template("portal/shared.html", shares=found), 200


@blueprint.route("/documents/<document_id>", methods=["GET"])
def document(document_id: str) -> Response | tuple[str, int]:
    """The document shown in the page (PDF in a frame, images as images), download, print."""
    recipient = signed_in()
    if isinstance(recipient, Response):
        return recipient
    portal = docportal()
    found, share, practice = recipients.document_for_recipient(
        portal.uow(), recipient, document_id, client_description(), portal.now())
    zone = recipients.practice_time_zone(portal.uow(), share.org_id)
    return render_template("portal/document.html", document=found, share=share,
                           practice=practice, time_zone=zone), 200


@blueprint.route("/documents/<document_id>/file", methods=["GET"])
def document_file(document_id: str) -> Response:
    """The document's bytes: shown inline, or ``?download=1`` saved as a file."""
    recipient = signed_in()
    if isinstance(recipient, Response):
        return recipient
    download = request.args.get("download") in ("1", "true", "yes")
    portal = docportal()
    found, stored = recipients.open_document(
        portal.uow(), portal.storage, recipient, document_id, download=download,
        client=client_description(), now=portal.now())
    inline = not download and found.content_type in INLINE_TYPES
    return file_response(
        stored, content_type=found.content_type,
        disposition=content_disposition(found.filename, inline=inline),
        # The portal's own document page frames the PDF; nobody else may.
        headers={"X-Frame-Options": "SAMEORIGIN"})


def content_disposition(filename: str, *, inline: bool) -> str:
    """Inline or attachment, with an ASCII fallback and the exact UTF-8 name (RFC 6266)."""
    fallback = filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"

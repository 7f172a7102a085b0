"""Which uploads the portal accepts: decided by the file's first bytes, never its name.

A name or a browser-supplied Content-Type is whatever the uploader says; a ZIP renamed
``plan.pdf`` or an HTML page with a script would otherwise be served back to a recipient
as a "document". Only three formats are accepted, each recognised by its signature.
"""

from dataclasses import dataclass

from docportal.domain.errors import DocumentTooLarge, EmptyDocument, UnsupportedDocumentType
from docportal.domain.filenames import safe_filename

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"

MAX_UPLOAD_BYTES = 25 * 1024 * 1024

_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", PDF),
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"\xff\xd8\xff", JPEG),
)

#: How many leading bytes the caller must pass as ``head`` (the longest signature).
SNIFF_BYTES = max(len(signature) for signature, _ in _SIGNATURES)

ACCEPTED_TYPES = tuple(content_type for _, content_type in _SIGNATURES)


@dataclass(frozen=True)
class AcceptedUpload:
    """An upload that passed the checks, with the name to show and send it under."""

    filename: str
    content_type: str
    size_bytes: int


def sniff_content_type(head: bytes) -> str:
    """Return the content type the leading bytes prove, or refuse the file."""
    if not head:
        raise EmptyDocument(
            "The file is empty. Choose the document again and upload it once more.",
        )
    for signature, content_type in _SIGNATURES:
        if head.startswith(signature):
            return content_type
    raise UnsupportedDocumentType(
        "Only PDF, PNG and JPEG files can be shared. Save or scan the document as a PDF "
        "and upload that file.",
        {"accepted_types": list(ACCEPTED_TYPES)},
    )


def validate_upload(
    name: str, size: int, head: bytes, limit: int = MAX_UPLOAD_BYTES
) -> AcceptedUpload:
    """Check an upload's size and signature; ``head`` is its first ``SNIFF_BYTES`` bytes."""
    if size <= 0:
        raise EmptyDocument(
            "The file is empty. Choose the document again and upload it once more.",
        )
    if size > limit:
        raise DocumentTooLarge(
            f"The file is {_megabytes(size)}; the limit is {_megabytes(limit)}. "
            "Upload a smaller file, or split the document into parts.",
            {"size_bytes": size, "limit_bytes": limit},
        )
    content_type = sniff_content_type(head)
    return AcceptedUpload(safe_filename(name, content_type), content_type, size)


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB".replace(".0 MB", " MB")

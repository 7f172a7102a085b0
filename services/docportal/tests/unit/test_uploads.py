import pytest

from docportal.domain.errors import DocumentTooLarge, EmptyDocument, UnsupportedDocumentType
from docportal.domain.uploads import (
    MAX_UPLOAD_BYTES,
    SNIFF_BYTES,
    sniff_content_type,
    validate_upload,
)

PDF_HEAD = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3"
PNG_HEAD = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
JPEG_HEAD = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"


@pytest.mark.parametrize(
    ("head", "content_type"),
    [(PDF_HEAD, "application/pdf"), (PNG_HEAD, "image/png"), (JPEG_HEAD, "image/jpeg")],
)
def test_pdf_png_and_jpeg_are_recognized_by_their_first_bytes(head, content_type):
    assert sniff_content_type(head) == content_type


@pytest.mark.parametrize(
    "head",
    [
        b"PK\x03\x04\x14\x00\x06\x00",  # a ZIP (or .docx)
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        b'<?xml version="1.0"?><html><script>alert(1)</script></html>',
        b"<!DOCTYPE html><html><body><script>fetch('/x')</script>",
        b"GIF89a\x01\x00\x01\x00",
        b" %PDF-1.7",  # the signature must open the file, not follow something else
        b"\x89PNG\r\n",  # a cut-off PNG signature proves nothing
        b"\xff\xd8\x00\x00JFIF",  # FF D8 alone is not yet a JPEG
        b"MZ\x90\x00\x03\x00\x00\x00",  # a Windows executable
    ],
)
def test_anything_but_pdf_png_or_jpeg_is_refused(head):
    with pytest.raises(UnsupportedDocumentType) as refused:
        sniff_content_type(head)
    assert "PDF" in refused.value.message
    assert refused.value.details["accepted_types"] == ["application/pdf", "image/png", "image/jpeg"]


def test_zip_renamed_pdf_is_refused_whatever_its_name():
    with pytest.raises(UnsupportedDocumentType):
        validate_upload("plan of care.pdf", 2048, b"PK\x03\x04\x14\x00\x06\x00")


def test_type_comes_from_the_bytes_not_the_name():
    accepted = validate_upload("scan.pdf", 4096, PNG_HEAD)

    assert accepted.content_type == "image/png"
    assert accepted.filename == "scan.png"
    assert accepted.size_bytes == 4096


@pytest.mark.parametrize(("size", "head"), [(0, b""), (0, PDF_HEAD), (12, b"")])
def test_empty_file_is_refused_as_unsupported(size, head):
    with pytest.raises(EmptyDocument) as refused:
        validate_upload("letter.pdf", size, head)
    assert isinstance(refused.value, UnsupportedDocumentType)
    assert refused.value.code == "empty_document"


def test_file_over_the_limit_is_refused_as_too_large():
    with pytest.raises(DocumentTooLarge) as refused:
        validate_upload("x-ray.jpg", 10_000_001, JPEG_HEAD, limit=10_000_000)

    assert refused.value.details == {"size_bytes": 10_000_001, "limit_bytes": 10_000_000}
    assert "smaller file" in refused.value.message


def test_file_exactly_at_the_limit_is_accepted():
    accepted = validate_upload("x-ray.jpg", 10_000_000, JPEG_HEAD, limit=10_000_000)

    assert accepted.content_type == "image/jpeg"


def test_default_limit_is_25_megabytes():
    assert MAX_UPLOAD_BYTES == 25 * 1024 * 1024
    validate_upload("plan.pdf", MAX_UPLOAD_BYTES, PDF_HEAD)
    with pytest.raises(DocumentTooLarge, match="the limit is 25 MB"):
        validate_upload("plan.pdf", MAX_UPLOAD_BYTES + 1, PDF_HEAD)


def test_sniffing_needs_only_the_longest_signature():
    assert SNIFF_BYTES == 8
    assert sniff_content_type(PNG_HEAD[:SNIFF_BYTES]) == "image/png"

from datetime import timedelta

import pytest

from docportal.domain.activity import (
    MAX_CLIENT_LENGTH,
    UNKNOWN_CLIENT,
    ActivityKind,
    clean_client_description,
)
from docportal.domain.errors import DocumentNotShared
from docportal.domain.recipients import authorize_recipient_access, record_download, record_view
from docportal.domain.sharing import share_documents

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; rv:128.0) Firefox/128.0; 203.0.113.7"


def test_each_view_and_download_is_recorded_with_time_and_client(issued, recipient, sent_at):
    share = issued.share
    opened_at = sent_at + timedelta(minutes=10)
    access = authorize_recipient_access(share, recipient, opened_at)

    record_view(share, access, FIREFOX, opened_at)
    record_view(share, access, FIREFOX, opened_at + timedelta(minutes=1), document_id="doc-1")
    record_download(share, access, "doc-2", FIREFOX, opened_at + timedelta(minutes=2))

    assert [(a.kind, a.document_id, a.at) for a in share.activity] == [
        (ActivityKind.VIEWED, None, opened_at),
        (ActivityKind.VIEWED, "doc-1", opened_at + timedelta(minutes=1)),
        (ActivityKind.DOWNLOADED, "doc-2", opened_at + timedelta(minutes=2)),
    ]
    assert {(a.share_id, a.account_id, a.client) for a in share.activity} == {
        (share.id, recipient.id, FIREFOX)
    }


def test_document_outside_the_share_cannot_be_viewed_or_downloaded(issued, recipient, sent_at):
    access = authorize_recipient_access(issued.share, recipient, sent_at)

    with pytest.raises(DocumentNotShared) as refused:
        record_download(issued.share, access, "doc-of-another-patient", FIREFOX, sent_at)
    with pytest.raises(DocumentNotShared):
        record_view(issued.share, access, FIREFOX, sent_at, document_id="doc-of-another-patient")

    assert refused.value.details["document_id"] == "doc-of-another-patient"
    assert issued.share.activity == []


def test_access_to_one_share_cannot_record_on_another(issued, recipient, sent_at, make_document):
    other = share_documents(
        [make_document("doc-1")],
        recipient_email=recipient.email,
        purpose="treatment",
        shared_by="staff-1",
        now=sent_at,
    ).share
    access = authorize_recipient_access(issued.share, recipient, sent_at)

    with pytest.raises(ValueError, match="used on share"):
        record_download(other, access, "doc-1", FIREFOX, sent_at)


def test_client_description_is_printable_and_bounded():
    assert clean_client_description("curl/8.5\r\nX-Injected: 1\x00") == "curl/8.5X-Injected: 1"
    assert len(clean_client_description("A" * 5000)) == MAX_CLIENT_LENGTH
    assert clean_client_description(None) == UNKNOWN_CLIENT
    assert clean_client_description(" \t ") == UNKNOWN_CLIENT

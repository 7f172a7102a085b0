import hashlib
from datetime import datetime

import pytest

from docportal.domain.errors import InvalidShare
from docportal.domain.shares import DisclosurePurpose, ShareStatus
from docportal.domain.sharing import MAX_MESSAGE_LENGTH, share_documents


def share(documents, *, now, **overrides):
    fields = {"recipient_email": "dr.lee@example.org", "purpose": "treatment"}
    return share_documents(documents, shared_by="staff-1", now=now, **{**fields, **overrides})


def test_share_holds_documents_of_one_patient(make_document, sent_at):
    issued = share([make_document("doc-1"), make_document("doc-2")], now=sent_at)

    assert issued.share.document_ids == ("doc-1", "doc-2")
    assert (issued.share.org_id, issued.share.patient_id) == ("org-1", "patient-1")
    assert issued.share.sent_at == sent_at
    assert issued.share.status_at(sent_at) is ShareStatus.SENT


def test_the_same_document_chosen_twice_is_shared_once(make_document, sent_at):
    issued = share([make_document("doc-1"), make_document("doc-1")], now=sent_at)

    assert issued.share.document_ids == ("doc-1",)


@pytest.mark.parametrize(
    ("second_patient", "second_org"), [("patient-2", "org-1"), ("patient-1", "org-2")]
)
def test_documents_of_two_patients_or_practices_cannot_be_shared_together(
    make_document, sent_at, second_patient, second_org
):
    documents = [make_document("doc-1"), make_document("doc-2", second_patient, second_org)]

    with pytest.raises(InvalidShare, match="same patient") as refused:
        share(documents, now=sent_at)
    assert refused.value.details == {"field": "documents"}


def test_share_needs_at_least_one_document(sent_at):
    with pytest.raises(InvalidShare, match="at least one document"):
        share([], now=sent_at)


def test_recipient_email_is_trimmed_and_lower_cased(make_document, sent_at):
    issued = share([make_document()], recipient_email="  Dr.Lee@Example.ORG \n", now=sent_at)

    assert issued.share.recipient_email == "dr.lee@example.org"


@pytest.mark.parametrize(
    "email", ["", "   ", "dr.lee", "dr.lee@example", "dr lee@example.org", "a@@example.org"]
)
def test_malformed_recipient_email_is_refused(make_document, sent_at, email):
    with pytest.raises(InvalidShare, match="email address") as refused:
        share([make_document()], recipient_email=email, now=sent_at)
    assert refused.value.details["field"] == "recipient_email"


def test_other_purpose_needs_a_description(make_document, sent_at):
    with pytest.raises(InvalidShare, match="Describe the purpose") as refused:
        share([make_document()], purpose="other", purpose_description="  ", now=sent_at)
    assert refused.value.details["field"] == "purpose_description"


def test_other_purpose_with_a_description_is_accepted(make_document, sent_at):
    issued = share(
        [make_document()],
        purpose="other",
        purpose_description=" Workers' compensation review ",
        now=sent_at,
    )

    assert issued.share.purpose is DisclosurePurpose.OTHER
    assert issued.share.purpose_description == "Workers' compensation review"


def test_unknown_purpose_is_refused(make_document, sent_at):
    with pytest.raises(InvalidShare, match="purpose of this disclosure") as refused:
        share([make_document()], purpose="marketing", now=sent_at)
    assert refused.value.details["allowed"] == [
        "treatment",
        "patient_request",
        "legal_request",
        "other",
    ]


def test_message_is_bounded(make_document, sent_at):
    longest = "m" * MAX_MESSAGE_LENGTH
    assert share([make_document()], message=longest, now=sent_at).share.message == longest

    with pytest.raises(InvalidShare, match="Shorten the message") as refused:
        share([make_document()], message=longest + "m", now=sent_at)
    assert refused.value.details["max_length"] == MAX_MESSAGE_LENGTH


def test_blank_message_is_no_message(make_document, sent_at):
    assert share([make_document()], message=" \n ", now=sent_at).share.message is None


def test_share_keeps_only_the_hash_of_its_link_token(make_document, sent_at):
    issued = share([make_document()], now=sent_at)

    assert issued.share.token_hash == hashlib.sha256(issued.token.encode()).hexdigest()
    assert issued.token not in repr(issued.share)


def test_naive_time_is_a_programming_error(make_document):
    with pytest.raises(ValueError, match="timezone-aware"):
        share([make_document()], now=datetime(2025, 3, 3, 9, 0))

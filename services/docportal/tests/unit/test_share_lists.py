"""Whose shares a caller lists, the list's cursor, and what each line says."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from docportal.domain.activity import ActivityKind
from docportal.domain.errors import InvalidShareCursor, ShareListRefused
from docportal.domain.share_lists import ShareCursor, sender_filter, share_line
from docportal.domain.share_mail import MailStatus
from docportal.domain.shares import ShareStatus

STAFF = frozenset({"share_documents", "view_patients"})
MANAGER = STAFF | {"manage_users"}


@pytest.mark.parametrize("sender", [None, "", "me", "staff-1"])
def test_staff_list_the_shares_they_sent(sender):
    assert sender_filter("staff-1", STAFF, sender) == "staff-1"


@pytest.mark.parametrize("sender", ["staff-2", "all"])
def test_only_a_user_manager_lists_other_staff_members_shares(sender):
    with pytest.raises(ShareListRefused, match="Only a User Manager") as refused:
        sender_filter("staff-1", STAFF, sender)
    assert refused.value.details["permission"] == "manage_users"


def test_a_user_manager_lists_one_colleagues_shares_or_the_whole_practices():
    assert sender_filter("manager-1", MANAGER, "staff-2") == "staff-2"
    assert sender_filter("manager-1", MANAGER, "all") is None
    assert sender_filter("manager-1", MANAGER, None) == "manager-1"


def test_a_cursor_reads_back_as_the_share_it_was_made_from():
    cursor = ShareCursor(datetime(2025, 3, 3, 9, 0, 0, 123456, tzinfo=UTC), "share-7")
    assert ShareCursor.decode(cursor.encode()) == cursor


@pytest.mark.parametrize("forged", [
    "not base64 !", "", "bm90aGluZw", "MjAyNS0wMy0wM3w=",  # "nothing", "2025-03-03|"
    "MjAyNS0wMy0wM1QwOTowMDowMHxhfGI",  # "2025-03-03T09:00:00|a|b"
    "MjAyNS0wMy0wM1QwOTowMDowMHxh",  # a naive time
    "\u00e9t\u00e9",
])
def test_a_cursor_the_list_never_gave_out_is_refused(forged):
    with pytest.raises(InvalidShareCursor, match="leave it out"):
        ShareCursor.decode(forged)


def test_an_overlong_share_id_in_a_cursor_is_refused():
    cursor = ShareCursor(datetime(2025, 3, 3, tzinfo=UTC), "x" * 65).encode()
    with pytest.raises(InvalidShareCursor):
        ShareCursor.decode(cursor)


def test_a_line_shows_the_status_at_the_time_asked(issued, sent_at, recipient):
    share = issued.share
    assert share_line(share, sent_at, views=0, downloads=0,
                      last_opened_at=None).status is ShareStatus.SENT
    late = sent_at + timedelta(hours=24, seconds=1)
    line = share_line(share, late, views=0, downloads=0, last_opened_at=None)
    assert line.status is ShareStatus.EXPIRED
    assert line.mail_status is MailStatus.PENDING  # never delivered in this test

    share.claim(recipient.id, sent_at + timedelta(hours=1))
    share.record(ActivityKind.VIEWED, recipient.id, "browser", sent_at + timedelta(hours=1))
    assert share_line(share, late, views=1, downloads=0,
                      last_opened_at=None).status is ShareStatus.CLAIMED
    share.revoke("staff-1", late)
    assert share_line(share, late, views=1, downloads=0,
                      last_opened_at=None).status is ShareStatus.REVOKED

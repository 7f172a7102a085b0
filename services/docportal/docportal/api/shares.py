"""Staff share documents with an outside recipient, follow the share, revoke or resend it."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from docportal.api.callers import SHARE_PERMISSION, VIEW_PERMISSION, staff
from docportal.api.schemas import (
    ReshareRequestSchema,
    ShareListQuerySchema,
    ShareListSchema,
    ShareRequestSchema,
    ShareSchema,
    TrackingSchema,
)
from docportal.bootstrap import docportal
from docportal.domain.share_lists import SentShareLine
from docportal.domain.shares import Share, ShareStatus
from docportal.service_layer import share_lists, shares
from servicekit.auth import require_permission
from servicekit.web.idempotency import idempotent
from servicekit.web.openapi import documents_errors
from servicekit.web.pagination import keyset_cursor, next_keyset_page

blp = Blueprint("shares", __name__, description="Shares with outside recipients")


@blp.route("/shares", methods=["POST"])
@documents_errors(404, 410, 429)
@require_permission(SHARE_PERMISSION, VIEW_PERMISSION, kinds=("staff",))
@idempotent
@blp.arguments(ShareRequestSchema)
@blp.response(201, ShareSchema)
def create(body: dict) -> dict[str, Any]:
    """Share documents of one patient; the recipient gets an email with the link."""
    portal = docportal()
    now = portal.now()
    sent = shares.send_share(portal.uow(), portal.mail, staff(), now=now, **body)
    return share_body(sent.share, now, mail_sent=sent.mail_sent)


@blp.route("/shares", methods=["GET"])
@require_permission(SHARE_PERMISSION, VIEW_PERMISSION, kinds=("staff",))
@blp.arguments(ShareListQuerySchema, location="query")
@blp.response(200, ShareListSchema)
def list_sent(query: dict) -> dict[str, Any]:
    """The shares you sent, newest first: status, recipient, views and downloads.

    `sender` other than your own needs manage_users (403 `share_list_refused`); each patient
    on the page is recorded as an access (`docportal.shares.viewed`).
    """
    portal = docportal()
    status = ShareStatus(query["status"]) if query["status"] else None
    lines, next_cursor = share_lists.list_sent_shares(
        portal.uow(), staff(), now=portal.now(), limit=query["limit"], sender=query["sender"],
        patient_id=query["patient_id"], status=status,
        cursor=keyset_cursor(query["cursor"]))
    return {"shares": [line_body(line) for line in lines],
            "next_cursor": next_keyset_page(next_cursor)}


@blp.route("/shares/<share_id>", methods=["GET"])
@require_permission(SHARE_PERMISSION, VIEW_PERMISSION, kinds=("staff",))
@blp.response(200, TrackingSchema)
def track(share_id: str) -> dict[str, Any]:
    """The share's status, every view and download (newest first) and every refused open."""
    portal = docportal()
    now = portal.now()
    tracking, share = shares.share_tracking(portal.uow(), staff(), share_id, now)
    return {
        **share_body(share, now, mail_sent=share.mail_sent_at is not None),
        "mail_attempts": tracking.mail_attempts,
        "mail_next_attempt_at": tracking.mail_next_attempt_at,
        "claim_deadline": tracking.claim_deadline, "claimed_at": tracking.claimed_at,
        "revoked_at": tracking.revoked_at, "superseded_by_id": tracking.superseded_by_id,
        "views": tracking.views, "downloads": tracking.downloads,
        "activity": [{"kind": str(a.kind), "document_id": a.document_id,
                      "account_id": a.account_id, "client": a.client, "at": a.at}
                     for a in tracking.activity],
        "refused_attempts": tracking.refused_attempts,
        "refusals": [{"at": r.at, "client": r.client, "reason": r.reason,
                      "account_id": r.account_id} for r in tracking.refusals],
    }


@blp.route("/shares/<share_id>/revoke", methods=["POST"])
@require_permission(SHARE_PERMISSION, VIEW_PERMISSION, kinds=("staff",))
@blp.response(200, ShareSchema)
def revoke(share_id: str) -> dict[str, Any]:
    """Withdraw access at once; the recipient's link and downloads stop working."""
    portal = docportal()
    now = portal.now()
    share = shares.revoke_share(portal.uow(), staff(), share_id, now)
    return share_body(share, now)


@blp.route("/shares/<share_id>/reshare", methods=["POST"])
@documents_errors(409, 410, 429)
@require_permission(SHARE_PERMISSION, VIEW_PERMISSION, kinds=("staff",))
@idempotent
@blp.arguments(ReshareRequestSchema)
@blp.response(201, ShareSchema)
def resend(body: dict, share_id: str) -> dict[str, Any]:
    """Send the same documents again with a new link and 24 hours; the old link dies."""
    portal = docportal()
    now = portal.now()
    sent = shares.reshare_share(portal.uow(), portal.mail, staff(), share_id, now=now,
                                message=body.get("message"))
    return share_body(sent.share, now, mail_sent=sent.mail_sent)


def share_body(share: Share, now: Any, *, mail_sent: bool | None = None) -> dict[str, Any]:
    body = {
        "id": share.id, "patient_id": share.patient_id, "document_ids": list(share.document_ids),
        "recipient_email": share.recipient_email, "purpose": str(share.purpose),
        "purpose_description": share.purpose_description, "message": share.message,
        "sent_at": share.sent_at, "status": str(share.status_at(now)),
        "claim_deadline": None if share.claimed_at else share.claim_deadline,
        "supersedes_id": share.supersedes_id,
    }
    if mail_sent is not None:
        body["mail_status"] = "sent" if mail_sent else "pending"
    return body


def line_body(line: SentShareLine) -> dict[str, Any]:
    """One line of the sender's list; the sender's free-text message stays on the share."""
    share = line.share
    return {
        "id": share.id, "patient_id": share.patient_id, "document_ids": list(share.document_ids),
        "recipient_email": share.recipient_email, "purpose": str(share.purpose),
        "shared_by": share.shared_by, "sent_at": share.sent_at, "status": str(line.status),
        "claim_deadline": None if share.claimed_at else share.claim_deadline,
        "claimed_at": share.claimed_at, "revoked_at": share.revoked_at,
        "supersedes_id": share.supersedes_id, "superseded_by_id": share.superseded_by_id,
        "mail_status": str(line.mail_status), "views": line.views, "downloads": line.downloads,
        "last_opened_at": line.last_opened_at,
    }

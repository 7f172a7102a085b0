"""What each platform event adds to a practice's daily activity, the digests' figures.

Every tally counts for the practice as a whole and, where the event names one, for the staff
member it belongs to: the note's finalizer, the share's sender, the inviter, the plan's
practitioner. Values (treatment plans sent and proceeded with) are kept per currency.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from servicekit.messaging.envelope import Event

NOTES_FINALIZED = "notes_finalized"
DOCUMENTS_SHARED = "documents_shared"
DOCUMENTS_VIEWED = "documents_viewed"
INVITATIONS_SENT = "invitations_sent"
INVITATIONS_ACCEPTED = "invitations_accepted"
PLANS_SENT = "plans_sent"
PLANS_OPENED = "plans_opened"
PLANS_PROCEEDED = "plans_proceeded"
PAYMENT_PLANS_REQUESTED = "payment_plans_requested"
PAYMENT_PLANS_ACCEPTED = "payment_plans_accepted"

PLAN_METRICS = {
    "notes.treatment_plan.sent": PLANS_SENT,
    "notes.treatment_plan.opened": PLANS_OPENED,
    "notes.treatment_plan.proceeded": PLANS_PROCEEDED,
    "notes.treatment_plan.payment_plan_requested": PAYMENT_PLANS_REQUESTED,
    "notes.treatment_plan.payment_plan_accepted": PAYMENT_PLANS_ACCEPTED,
}
VALUED = frozenset({PLANS_SENT, PLANS_PROCEEDED})  # the seed: "sends, opens and value"

#: What identity's activity subscription is bound to.
ACTIVITY_BINDINGS = (
    "notes.note.finalized",
    "notes.treatment_plan.#",
    "docportal.share.sent",
    "docportal.share.reshared",
    "docportal.document.viewed",
    "identity.invitation.sent",
    "identity.invitation.accepted",
)


@dataclass(frozen=True)
class Tally:
    metric: str
    day: date
    user_id: str | None  # None: the practice's total only
    count: int = 1
    value_cents: int = 0
    currency: str = ""
    # A recipient's view counts for whoever sent the share (looked up by the consumer).
    credit_share_sender: str | None = None


def tallies_of(event: Event) -> list[Tally]:
    """The activity an event stands for; none for events the digests do not report."""
    day = event.occurred_at.date()
    data: dict[str, Any] = event.data or {}
    actor_id = event.actor.id if event.actor else None
    kind = event.type
    if kind == "notes.note.finalized":
        return [Tally(NOTES_FINALIZED, day, data.get("finalized_by_id") or actor_id)]
    if kind in ("docportal.share.sent", "docportal.share.reshared"):
        documents = len(data.get("document_ids") or []) or 1
        return [Tally(DOCUMENTS_SHARED, day, actor_id, count=documents)]
    if kind == "docportal.document.viewed" and data.get("by", "recipient") == "recipient":
        return [Tally(DOCUMENTS_VIEWED, day, None, credit_share_sender=data.get("share_id"))]
    if kind == "identity.invitation.sent":
        return [Tally(INVITATIONS_SENT, day, actor_id)]
    if kind == "identity.invitation.accepted":
        return [Tally(INVITATIONS_ACCEPTED, day, None)]
    if kind in PLAN_METRICS:
        return [_plan_tally(PLAN_METRICS[kind], day, data)]
    return []


def _plan_tally(metric: str, day: date, data: dict[str, Any]) -> Tally:
    practitioner = data.get("practitioner_user_id")
    if metric not in VALUED:
        return Tally(metric, day, practitioner)
    return Tally(metric, day, practitioner, value_cents=int(data.get("total_cents") or 0),
                 currency=str(data.get("currency") or "").upper()[:3])

"""How many invitation emails a practice may send: per invitee address and per practice.

Each invitation and each resend mails a link to an address the practice typed in. Unchecked,
a stolen Admin session or a script could flood one person's mailbox with resends (or with
revoke-and-invite-again), or send hundreds of invitations from one practice in minutes.
An Admin onboarding staff sends a few; these limits sit well above that. The counts come
from the invitation mails recorded in the database, so they hold across replicas.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from identity.domain.clock import require_aware, seconds_until
from identity.domain.errors import InvitationsThrottled

#: Invitation emails to one address from one practice (the invitation and three resends) ...
MAILS_PER_INVITEE = 4
#: ... within this sliding window.
INVITEE_WINDOW = timedelta(hours=1)
#: Invitation emails (invitations and resends together) one practice may send ...
MAILS_PER_PRACTICE = 30
#: ... within this sliding window.
PRACTICE_WINDOW = timedelta(hours=1)


def check_invitation_mail_allowed(
    *, mailed_to_invitee: Sequence[datetime], mailed_by_practice: Sequence[datetime],
    now: datetime,
) -> None:
    """Raise InvitationsThrottled when one more invitation email would pass either limit."""
    require_aware(now)
    _check(mailed_to_invitee, MAILS_PER_INVITEE, INVITEE_WINDOW, now, "invitee",
           f"This address was sent {MAILS_PER_INVITEE} invitation emails in the last hour, "
           "the most allowed; ask the person to look for the latest one (and in spam).")
    _check(mailed_by_practice, MAILS_PER_PRACTICE, PRACTICE_WINDOW, now, "practice",
           f"Your practice sent {MAILS_PER_PRACTICE} invitation emails in the last hour, "
           "the most allowed.")


def _check(mailed: Sequence[datetime], limit: int, window: timedelta, now: datetime,
           scope: str, reason: str) -> None:
    # A mail stamped after ``now`` still counts: a request that read the clock earlier may
    # be counted after one that read it later.
    counted = sorted(at for at in mailed if at > now - window)
    if len(counted) < limit:
        return
    frees_at = counted[-limit] + window
    wait = max(1, seconds_until(frees_at, now))
    minutes = -(-wait // 60)
    raise InvitationsThrottled(
        f"{reason} Try again in {minutes} minute{'s' if minutes != 1 else ''} "
        f"(after {frees_at:%H:%M} UTC).",
        {"per": scope, "limit": limit, "window_seconds": int(window.total_seconds()),
         "retry_after_seconds": wait, "retry_at": frees_at.isoformat()},
    )

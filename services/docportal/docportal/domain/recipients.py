"""Who may open a share: only an account that has proved the recipient's email address.

``authorize_recipient_access`` is the one decision behind both the recipient's page and
every download, so the two cannot drift apart. The recipient is checked before the
share's state, so someone holding a forwarded link learns nothing about the share,
not even whether it expired or was revoked.
"""

from dataclasses import dataclass
from datetime import datetime

from docportal.domain.activity import (
    ActivityKind,
    RefusedAttempt,
    ShareActivity,
    clean_client_description,
)
from docportal.domain.clock import as_utc
from docportal.domain.errors import (
    DocportalError,
    DocumentNotShared,
    RecipientEmailUnverified,
    RegistrationEmailMismatch,
    SignInRequired,
    WrongRecipient,
)
from docportal.domain.shares import Share


def normalize_email(email: str) -> str:
    """Return the address in the form that is stored and compared: trimmed, lower case."""
    return email.strip().lower()


@dataclass(frozen=True)
class Account:
    """The signed-in person as the token describes them."""

    id: str
    email: str
    email_verified: bool


@dataclass(frozen=True)
class Access:
    """Permission for one account to see one share's documents, for this request."""

    share_id: str
    account_id: str
    document_ids: tuple[str, ...]
    claimed_now: bool

    def require_document(self, document_id: str) -> str:
        if document_id not in self.document_ids:
            raise DocumentNotShared(
                "That document is not part of this share. Go back to the share's page "
                "and choose one of the documents listed there.",
                {"share_id": self.share_id, "document_id": document_id},
            )
        return document_id


def authorize_recipient_access(share: Share, account: Account | None, now: datetime) -> Access:
    """Let the share's recipient in, claiming the share on their first in-time open.

    Raises ``SignInRequired`` when nobody is signed in: the real recipient's first
    click from the email is anonymous, so it is not a wrong-recipient attempt.
    ``WrongRecipient`` is for a signed-in account with another address, verified or
    not; the caller records and reports it. Then the share's own state decides
    (``ShareSuperseded``, ``ShareRevoked``, ``ShareExpired``). ``Access.claimed_now``
    tells the caller to emit the claim event.
    """
    if account is None:
        raise SignInRequired(
            "Sign in, or create a free account with the email address this share was "
            "sent to, to open these documents.",
        )
    if normalize_email(account.email) != normalize_email(share.recipient_email):
        raise WrongRecipient(
            "These documents were shared with a different email address. Sign in with "
            "the address the email was sent to, or ask the sender to share them with you.",
            {"share_id": share.id, "signed_in_as": account.email},
        )
    if not account.email_verified:
        raise RecipientEmailUnverified(
            "Confirm your email address with the link we sent you, then open the share again.",
            {"share_id": share.id},
        )
    claimed_now = share.claim(account.id, now)
    return Access(share.id, account.id, share.document_ids, claimed_now)


def record_view(
    share: Share, access: Access, client: str | None, now: datetime, document_id: str | None = None
) -> ShareActivity:
    """Record that the recipient viewed the share's page (no document) or one document."""
    _require_same_share(share, access)
    if document_id is not None:
        access.require_document(document_id)
    return share.record(
        ActivityKind.VIEWED, access.account_id, clean_client_description(client), now, document_id
    )


def record_download(
    share: Share, access: Access, document_id: str, client: str | None, now: datetime
) -> ShareActivity:
    """Record that the recipient downloaded one of the share's documents."""
    _require_same_share(share, access)
    access.require_document(document_id)
    return share.record(
        ActivityKind.DOWNLOADED,
        access.account_id,
        clean_client_description(client),
        now,
        document_id,
    )


def check_registration(share: Share, email: str, now: datetime) -> str:
    """Return the address a new account may prove with this link, or raise why it may not.

    The person registering types the address the email went to: the link proves it only
    for its own recipient. Then the share must still open (not expired, revoked or
    superseded), or there is nothing to register for.
    """
    if normalize_email(email) != normalize_email(share.recipient_email):
        raise RegistrationEmailMismatch(
            "Enter the email address this link was sent to; the account is made for that "
            "address only.",
            {"field": "email"},
        )
    share.check_open(now)
    return normalize_email(share.recipient_email)


def refused_attempt(
    share: Share, refusal: DocportalError, account: Account | None, client: str | None,
    now: datetime, document_id: str | None = None,
) -> RefusedAttempt:
    """Describe a turned-away open of ``share`` for the sender's and the auditors' record."""
    return RefusedAttempt(
        share_id=share.id, reason=refusal.code, account_id=account.id if account else None,
        document_id=document_id, client=clean_client_description(client), at=as_utc(now),
    )


def _require_same_share(share: Share, access: Access) -> None:
    if access.share_id != share.id:
        raise ValueError(f"access for share {access.share_id} used on share {share.id}")

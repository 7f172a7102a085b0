"""What the use cases need from the outside world: storage, the share mail, identity.

The adapters in ``docportal.adapters`` implement these; the unit tests use fakes. Provider
errors never pass this line: an adapter turns them into the exceptions below.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any, BinaryIO, Protocol

from docportal.domain.errors import DocportalError
from servicekit.mail import MailUnavailable

__all__ = ["MailUnavailable"]


class StorageUnavailable(DocportalError):
    """503: the document store cannot be reached or refused the request."""

    code = "storage_unavailable"


@dataclass(frozen=True)
class StoredObject:
    """A document's bytes to send: streamed ``chunks``, or, when the gateway fetches them
    itself, the gateway-internal path of a short-lived signed URL (``offload_path``)."""

    size_bytes: int
    chunks: Iterator[bytes]
    offload_path: str | None = None

    def close(self) -> None:
        close = getattr(self.chunks, "close", None)
        if close is not None:
            close()


class Opening(Protocol):
    """A store answer asked for ahead of time (``DocumentStorage.opening``)."""

    def result(self) -> StoredObject:
        """The opened object, or StorageUnavailable."""
        ...

    def abandon(self) -> None:
        """Not needed after all: release whatever it holds."""
        ...


class DocumentStorage(Protocol):
    def put(self, key: str, body: BinaryIO, size_bytes: int, content_type: str) -> None: ...

    def open(self, key: str) -> StoredObject: ...

    def opening(self, key: str) -> Opening:
        """Start opening ``key`` now, so that the store's round trip overlaps the caller's
        checks; nothing of it is used unless the caller then asks for the result."""
        ...

    def delete(self, key: str) -> None: ...


@dataclass(frozen=True)
class ShareMail:
    """The share email: who it goes to, who sends it, and the link; no patient data."""

    recipient_email: str
    practice_name: str
    link: str


class ShareMailer(Protocol):
    def share_link_message(self, mail: ShareMail) -> EmailMessage: ...

    def send(self, message: EmailMessage) -> None:
        """Raises MailUnavailable when the mail server cannot take it."""


class IdentityUnavailable(DocportalError):
    """503: the identity service cannot be reached or failed; sign-in must wait."""

    code = "identity_unavailable"


class IdentityRefused(DocportalError):
    """Identity said no (wrong password, locked, exists, weak password, dead link).

    ``status`` and ``code`` are identity's own, so a page can word its form message.
    """

    code = "identity_refused"

    def __init__(self, status: int, code: str, message: str,
                 details: dict[str, Any] | None = None) -> None:
        super().__init__(message, details)
        self.status, self.code = status, code


@dataclass(frozen=True)
class Tokens:
    """A recipient's session at identity: a short-lived access token and its refresh token."""

    access_token: str
    refresh_token: str


class RecipientAccounts(Protocol):
    """Identity's recipient accounts (contract: docs of identity <-> docportal)."""

    def register(self, email: str, full_name: str, password: str) -> None:
        """Create the account; the adapter proves ``email`` to identity."""

    def sign_in(self, email: str, password: str) -> Tokens: ...

    def refresh(self, refresh_token: str) -> Tokens: ...

    def sign_out(self, refresh_token: str) -> None: ...

    def forgot_password(self, email: str) -> None: ...

    def reset_password(self, token: str, password: str) -> None: ...

"""What the use cases need from the outside world: document storage and the share mail.

The adapters in ``docportal.adapters`` implement these; the unit tests use fakes. Provider
errors never pass this line: an adapter turns them into the exceptions below.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO, Protocol

from docportal.domain.errors import DocportalError


class StorageUnavailable(DocportalError):
    """503: the document store cannot be reached or refused the request."""

    code = "storage_unavailable"


class MailUnavailable(Exception):
    """The mail server cannot be reached or refused the message (the share stays pending)."""


@dataclass(frozen=True)
class StoredObject:
    size_bytes: int
    chunks: Iterator[bytes]

    def close(self) -> None:
        close = getattr(self.chunks, "close", None)
        if close is not None:
            close()


class DocumentStorage(Protocol):
    def put(self, key: str, body: BinaryIO, size_bytes: int, content_type: str) -> None: ...

    def open(self, key: str) -> StoredObject: ...

    def delete(self, key: str) -> None: ...


@dataclass(frozen=True)
class ShareMail:
    """The share email: who it goes to, who sends it, and the link; no patient data."""

    recipient_email: str
    practice_name: str
    link: str


class ShareMailer(Protocol):
    def send_share_link(self, mail: ShareMail) -> None: ...

"""The document portal's refusals, each with a message that says what to do next.

The API layer maps each class to an HTTP status in one table; the status each one is
meant for is noted on the class. ``code`` is the stable machine name for the JSON error
body, ``details`` the facts a client may show or act on.
"""

from typing import Any


class DocportalError(Exception):
    code = "docportal_error"

    def __init__(self, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}


class UnsupportedDocumentType(DocportalError):
    """415: the bytes are not a PDF, PNG or JPEG, whatever the file name says."""

    code = "unsupported_document_type"


class EmptyDocument(UnsupportedDocumentType):
    """415: an empty file has no type at all."""

    code = "empty_document"


class DocumentTooLarge(DocportalError):
    """413: the file is over the upload limit."""

    code = "document_too_large"


class InvalidShare(DocportalError):
    """422: the share request breaks a rule (documents, recipient, purpose, message)."""

    code = "invalid_share"


class SignInRequired(DocportalError):
    """401: nobody is signed in, so the recipient cannot be checked yet."""

    code = "sign_in_required"


class WrongRecipient(DocportalError):
    """403: the signed-in account is not the recipient; record and report the attempt."""

    code = "wrong_recipient"


class RegistrationEmailMismatch(DocportalError):
    """422: the address typed to register from a link is not the one the link was sent to."""

    code = "registration_email_mismatch"


class RecipientEmailUnverified(DocportalError):
    """403: the account has the recipient's address but has not proved it yet."""

    code = "recipient_email_unverified"


class ShareExpired(DocportalError):
    """410: the share was not opened within the claim window."""

    code = "share_expired"


class ShareRevoked(DocportalError):
    """410: the sender revoked the share."""

    code = "share_revoked"


class ShareSuperseded(DocportalError):
    """410: the sender reshared; only the newest link works."""

    code = "share_superseded"


class ShareCannotBeReshared(DocportalError):
    """409: the share is claimed (the recipient already has it) or already superseded."""

    code = "share_cannot_be_reshared"


class DocumentNotShared(DocportalError):
    """404: the document is not part of this share."""

    code = "document_not_shared"


class DocumentWithdrawn(DocportalError):
    """410: the document was withdrawn from the chart (filed under the wrong patient)."""

    code = "document_withdrawn"


class InvalidWithdrawal(DocportalError):
    """422: a withdrawal needs a short reason."""

    code = "invalid_withdrawal"


class TooManyShares(DocportalError):
    """429 with Retry-After: the sender, or the practice to this recipient, sent the most
    share mails the window allows (``details["retry_after_seconds"]``)."""

    code = "too_many_shares"


class ShareListRefused(DocportalError):
    """403: only a User Manager lists shares other staff members sent."""

    code = "share_list_refused"


class InvalidShareCursor(DocportalError):
    """422: the share list's cursor is not one it handed out."""

    code = "invalid_cursor"

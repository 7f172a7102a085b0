"""Refusals that come from looking things up, not from a domain rule."""

from notes.domain.errors import NotesError, PermissionRefused


class NotFoundInPractice(NotesError):
    """404: no such record in the caller's practice (another practice's look the same)."""

    code = "not_found"


class InvalidRequest(NotesError):
    """422: the request names something that cannot be used here, e.g. another clinic."""

    code = "invalid_request"


class AccountNotKnown(PermissionRefused):
    """403: identity has not told notes about this user yet, or deactivated them."""

    code = "account_not_known"


class PlanMailUnavailable(NotesError):
    """503: the mail server did not take the plan's mail; nothing was sent or changed."""

    code = "mail_unavailable"


class PlanLinkUnknown(NotesError):
    """404: no plan has this link (mistyped, or replaced by a newer mail)."""

    code = "plan_link_unknown"


class NotePdfUnavailable(NotesError):
    """503: the PDF could not be rendered, stored or fetched; nothing was recorded."""

    code = "note_pdf_unavailable"

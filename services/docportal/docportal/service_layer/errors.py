"""Refusals of the use cases that the domain cannot know about: things that are not there."""

from docportal.domain.errors import DocportalError


class DocumentNotFound(DocportalError):
    """404: no such document in the caller's practice (another practice's is "not found" too)."""

    code = "document_not_found"


class ShareNotFound(DocportalError):
    """404: no such share in the caller's practice."""

    code = "share_not_found"


class ShareLinkUnknown(DocportalError):
    """404: no share has this link (mistyped, cut short by the mail program, or made up)."""

    code = "share_link_unknown"

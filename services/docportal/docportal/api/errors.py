"""The one table from the docportal's refusals to HTTP statuses and error codes."""

from docportal.domain import errors as e
from docportal.service_layer.errors import DocumentNotFound, ShareNotFound
from docportal.service_layer.ports import StorageUnavailable
from servicekit.web.errors import ErrorTable

_STATUS: dict[type[e.DocportalError], int] = {
    e.UnsupportedDocumentType: 415,
    e.EmptyDocument: 415,
    e.DocumentTooLarge: 413,
    e.InvalidShare: 422,
    e.SignInRequired: 401,
    e.WrongRecipient: 403,
    e.RecipientEmailUnverified: 403,
    e.ShareExpired: 410,
    e.ShareRevoked: 410,
    e.ShareSuperseded: 410,
    e.ShareCannotBeReshared: 409,
    e.DocumentNotShared: 404,
    e.DocumentWithdrawn: 410,
    e.InvalidWithdrawal: 422,
    e.ShareListRefused: 403,
    e.InvalidShareCursor: 422,
    e.TooManyShares: 429,  # Retry-After from details["retry_after_seconds"] (servicekit)
    DocumentNotFound: 404,
    ShareNotFound: 404,
    StorageUnavailable: 503,
}

ERROR_TABLE: ErrorTable = {cls: (status, cls.code) for cls, status in _STATUS.items()}

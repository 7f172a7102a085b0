"""HTTP plumbing shared by the services: app factory, error shape, health and metrics."""

from servicekit.web.app import create_service_app
from servicekit.web.errors import (
    AppError,
    Conflict,
    ErrorTable,
    Forbidden,
    Gone,
    NotFound,
    PayloadTooLarge,
    ServiceUnavailable,
    TooManyRequests,
    Unauthorized,
    Unprocessable,
    UnsupportedMediaType,
    error_response,
    register_error_handlers,
)

__all__ = [
    "AppError",
    "Conflict",
    "ErrorTable",
    "Forbidden",
    "Gone",
    "NotFound",
    "PayloadTooLarge",
    "ServiceUnavailable",
    "TooManyRequests",
    "Unauthorized",
    "Unprocessable",
    "UnsupportedMediaType",
    "create_service_app",
    "error_response",
    "register_error_handlers",
]

"""Reading the portal's forms and wording identity's refusals as form messages."""

from __future__ import annotations

from docportal.service_layer.ports import IdentityRefused
from servicekit.web.pages import MAX_NAME, field, password_field

__all__ = ["MAX_NAME", "field", "password_field", "refusal_message", "refusal_status"]

_MESSAGES_BY_STATUS = {
    401: "The email address or password is not right. Check both and try again.",
    409: "An account with this email already exists. Sign in instead, or reset your password.",
    410: "This link has expired or was already used. Ask for a new one.",
    423: "This account is locked for a while after too many attempts. Try again later.",
    429: "Too many attempts. Wait a few minutes, then try again.",
}
_MESSAGES_BY_CODE = {
    "invalid_proof": "The link could not prove your email address. Open the link from the "
                     "email again and register within 30 minutes.",
}


def refusal_message(refused: IdentityRefused) -> str:
    """What the person should do, from identity's refusal (its own words when it has them)."""
    if refused.code in _MESSAGES_BY_CODE:
        return _MESSAGES_BY_CODE[refused.code]
    if refused.status in (423, 429):
        return refused.message or _MESSAGES_BY_STATUS[refused.status]
    return refused.message or _MESSAGES_BY_STATUS.get(
        refused.status, "That did not work. Check what you entered and try again.")


def refusal_status(refused: IdentityRefused) -> int:
    """The status of the page that shows the form again with the message."""
    if refused.status in (401, 409, 410, 429):
        return refused.status
    if refused.status == 423:
        return 429
    return 422

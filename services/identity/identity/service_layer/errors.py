"""Refusals that come from looking things up, not from a domain rule."""

from identity.domain.errors import (  # noqa: F401 (re-exported)
    IdentityError,
    NotAllowed,
    PractitionerDecisionRequired,
    StateConflict,
)


class NotFoundInPractice(IdentityError):
    """404: no such user or clinic in the caller's practice (other practices look the same)."""

    code = "not_found"


class PracticeChoiceRequired(IdentityError):
    """409: the email and password fit accounts in several practices; pick one."""

    code = "practice_choice_required"


class NoActiveAccessGrant(NotAllowed):
    """403: a vendor employee acts in a practice only while an access grant covers them."""

    code = "no_active_access_grant"


class NotASupportAdmin(NotAllowed):
    """403: only the vendor's support admins grant, revoke and list every access grant."""

    code = "not_a_support_admin"


class RecipientExists(StateConflict):
    """409: a recipient account with this email exists already."""

    code = "recipient_exists"


class InvalidProof(IdentityError):
    """400: the email proof from the document portal is malformed, expired or forged."""

    code = "invalid_proof"

"""Refusals that come from looking things up, not from a domain rule."""

from identity.domain.errors import IdentityError


class NotFoundInPractice(IdentityError):
    """404: no such user or clinic in the caller's practice (other practices look the same)."""

    code = "not_found"


class PracticeChoiceRequired(IdentityError):
    """409: the email and password fit accounts in several practices; pick one."""

    code = "practice_choice_required"

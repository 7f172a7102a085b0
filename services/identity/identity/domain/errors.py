"""The identity service's refusals, each with a message that says what to do next.

The API layer maps each class to an HTTP status in one table; the status each one is
meant for is noted on the class. ``code`` is the stable machine name for the JSON error
body, ``details`` the facts a client may show or act on.
"""

from __future__ import annotations

from typing import Any


class IdentityError(Exception):
    """Base of every rule the identity domain refuses to break."""

    code = "identity_error"

    def __init__(self, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details: dict[str, Any] = dict(details or {})


class CatalogInvalid(IdentityError):
    """Start-up: the user type catalog file breaks a rule; the service must not start."""

    code = "catalog_invalid"


class InvalidRequest(IdentityError):
    """422: the request itself breaks a rule (unknown name, missing field, bad value)."""

    code = "invalid_request"


class UnknownUserType(InvalidRequest):
    """422: no user type with that code exists in the catalog."""

    code = "unknown_user_type"


class UnknownPermission(InvalidRequest):
    """422: not one of the nine profile permissions."""

    code = "unknown_permission"


class PasswordRejected(InvalidRequest):
    """422: the new password breaks the policy; ``details["reasons"]`` lists every reason."""

    code = "password_rejected"


class GrantTooLong(InvalidRequest):
    """422: a vendor access grant lasts at most 30 days."""

    code = "access_grant_too_long"


class NotAllowed(IdentityError):
    """403: this person may not do this."""

    code = "not_allowed"


class SelfGrantRefused(NotAllowed):
    """403: a support admin never grants access to a practice to themselves."""

    code = "self_grant_refused"


class NotAUserManager(NotAllowed):
    """403: only a User Manager (an Admin, holder of manage_users) changes users."""

    code = "not_a_user_manager"


class AdminOnly(NotAllowed):
    """403: an Admin-only settings area (practice info, integrations, treatment plan
    settings, web chat, digests; dental patient record edits): Admins alone see and change it."""

    code = "admin_only"


class CannotGrantUnheldPermission(NotAllowed):
    """403: nobody grants a permission they do not hold themselves."""

    code = "cannot_grant_unheld_permission"


class CannotPromoteSelf(NotAllowed):
    """403: nobody edits themselves into manage_users."""

    code = "cannot_promote_self"


class CannotDeactivateSelf(NotAllowed):
    """403: nobody deactivates or removes their own account (the last Admin could lock the
    practice out)."""

    code = "cannot_deactivate_self"


class UserTypeChangeNeedsSupport(NotAllowed):
    """403: only the vendor's support staff, under an active access grant, change a type."""

    code = "user_type_change_needs_support"


class WrongClinicForBillingUser(NotAllowed):
    """403: a Billing-type user is edited only from that user's default clinic."""

    code = "wrong_clinic_for_billing_user"


class AutomationProfileProtected(NotAllowed):
    """403: the vendor's automation profile stays active and cannot be removed or edited."""

    code = "automation_profile_protected"


class OutsidePractice(NotAllowed):
    """403: the actor and the user (or invitation) belong to different practices."""

    code = "outside_practice"


class AcknowledgementRequired(IdentityError):
    """409: granting finish_notes to an assistant needs an explicit "Yes, I understand"."""

    code = "acknowledgement_required"


class SeatLimitReached(IdentityError):
    """409: every licensed seat is taken."""

    code = "seat_limit_reached"


class StateConflict(IdentityError):
    """409: the thing is not in a state that allows this (accepted, revoked, inactive...)."""

    code = "state_conflict"


class PractitionerDecisionRequired(StateConflict):
    """409: a new practitioner record's name matches a record or another open invitation's
    new one; link the record or confirm a different person."""

    code = "practitioner_decision_required"


class PractitionerAlreadyLinked(StateConflict):
    """409: the practitioner record belongs to another user (or an open invitation links it)."""

    code = "practitioner_already_linked"


class PractitionerInUse(StateConflict):
    """409: a user is linked to the practitioner record, or an open invitation names it."""

    code = "practitioner_in_use"


class LastUserManager(StateConflict):
    """409: the change would leave the practice without an active User Manager (Admin)."""

    code = "last_user_manager"


class LinkExpired(IdentityError):
    """410: an invitation or password reset link is past its lifetime."""

    code = "link_expired"


class LinkUnusable(IdentityError):
    """410: the link was already used, revoked or replaced by a newer one."""

    code = "link_unusable"


class SignInRefused(IdentityError):
    """401 (429 when ``details["retry_after_seconds"]`` is set): one answer for every failure.

    Unknown email, wrong password and inactive account all look the same, so the answer
    never tells anyone which addresses have accounts.
    """

    code = "sign_in_refused"


class SignInThrottled(SignInRefused):
    """429 with Retry-After: this address failed too often for this email; it waits."""

    code = "sign_in_throttled"


class TooManyAttempts(IdentityError):
    """429 with Retry-After (``details["retry_after_seconds"]``): wait, then ask again."""

    code = "too_many_attempts"


class ResetRequestsThrottled(TooManyAttempts):
    """429: this address asked for too many password reset links; it waits."""

    code = "too_many_reset_requests"


class InvitationsThrottled(TooManyAttempts):
    """429: the practice, or its mails to one invitee, reached the invitation email limit."""

    code = "too_many_invitations"


class SecondFactorRequired(IdentityError):
    """401: the password was right; now a code from the authenticator app (field ``otp``)."""

    code = "second_factor_required"


class SecondFactorInvalid(SecondFactorRequired):
    """401: the code was wrong or already used."""

    code = "second_factor_invalid"


class SecondFactorEnrollmentRequired(IdentityError):
    """403: this account must enrol a second factor first; ``details`` hold the one-time
    enrollment token for POST /second-factor/enrollment."""

    code = "second_factor_enrollment_required"


class SecondFactorThrottled(TooManyAttempts):
    """429: too many wrong codes for this account; it takes none until the window passes."""

    code = "second_factor_throttled"


class RefreshRefused(IdentityError):
    """401: the refresh token is unknown, expired, revoked, or was reused (family revoked)."""

    code = "refresh_refused"


# --- service accounts and the client credentials grant ------------------------------------


class UnknownServiceScope(InvalidRequest):
    """422: not a declared service account scope, or not one this side (practice or vendor)
    may give."""

    code = "unknown_scope"


class TokenRequestRefused(IdentityError):
    """400: the token request is malformed (RFC 6749 5.2 ``invalid_request``)."""

    code = "invalid_request"


class UnsupportedGrantType(TokenRequestRefused):
    """400: /oauth/token issues the client credentials grant only."""

    code = "unsupported_grant_type"


class InvalidScope(TokenRequestRefused):
    """400: the client asked for a scope its account does not hold."""

    code = "invalid_scope"


class InvalidClient(IdentityError):
    """401: client authentication failed (unknown client, wrong secret, revoked account):
    one answer for all, so nobody learns which client ids exist."""

    code = "invalid_client"

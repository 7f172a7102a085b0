"""Refusals that come from looking things up or from the outside world, not a domain rule."""

from audit.domain.errors import AuditError


class NotFoundInScope(AuditError):
    """404: no such record in the caller's practice (another practice's look the same)."""

    code = "not_found"


class NoPractice(AuditError):
    """403: the account belongs to no practice, so it has no audit record to read."""

    code = "no_practice"


class OtherPractice(AuditError):
    """403: a practice's account asked for another practice's record."""

    code = "other_practice"


class NotAUserManager(AuditError):
    """403: only a User Manager of the practice changes its alert webhook."""

    code = "not_a_user_manager"


class AlertSuperseded(AuditError):
    """409: a newer alert for the same finding is open; that one is worked on."""

    code = "alert_superseded"


class DeliveryNotDead(AuditError):
    """409: only a dead delivery is retried by hand."""

    code = "delivery_not_dead"


class InvalidWindow(AuditError):
    """422: a report's window ends before it starts."""

    code = "invalid_window"


class TooManyStreams(AuditError):
    """429: the caller holds as many open streams as one caller may."""

    code = "too_many_streams"


class WitnessUnreadable(AuditError):
    """503: the witness cannot be read, so the record cannot be verified now."""

    code = "service_unavailable"

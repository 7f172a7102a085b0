"""The one table from the audit service's refusals to HTTP statuses and error codes."""

from __future__ import annotations

from audit.domain.alert_push import WebhookRefused
from audit.domain.alert_status import StepRefused
from audit.domain.errors import AuditError
from audit.service_layer import errors as s
from servicekit.web.errors import ErrorTable, error_table_by_family

# The status of each family of refusals; every concrete class keeps its own code.
_STATUS_BY_FAMILY: dict[type[AuditError], int] = {
    s.NoPractice: 403,
    s.OtherPractice: 403,
    s.NotAUserManager: 403,
    s.NotFoundInScope: 404,
    StepRefused: 409,  # alert_acknowledged, alert_resolved, alert_not_resolved
    s.AlertSuperseded: 409,
    s.DeliveryNotDead: 409,
    WebhookRefused: 422,
    s.InvalidWindow: 422,
    s.TooManyStreams: 429,  # details.retry_after_seconds sets Retry-After
    s.WitnessUnreadable: 503,
}

ERROR_TABLE: ErrorTable = error_table_by_family(AuditError, _STATUS_BY_FAMILY)

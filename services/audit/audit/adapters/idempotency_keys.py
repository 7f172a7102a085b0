"""The answers of audit's creating POSTs sent with an Idempotency-Key (servicekit.idempotency),
in audit's database beside its own tables (migration 0012)."""

from audit.adapters.tables import metadata
from servicekit.idempotency import idempotency_table

idempotency_keys = idempotency_table(metadata)

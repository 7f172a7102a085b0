from pathlib import Path

from audit.adapters.idempotency_keys import idempotency_keys
from audit.adapters.tables import messaging
from audit.config import AuditConfig
from audit.consumers import SUBSCRIPTIONS
from servicekit.service import ServiceSpec

SPEC = ServiceSpec(
    name="audit",
    config_class=AuditConfig,
    messaging=messaging,
    idempotency_keys=idempotency_keys,
    migrations_dir=Path(__file__).resolve().parent.parent / "migrations",
    subscriptions=SUBSCRIPTIONS,
)

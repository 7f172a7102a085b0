from pathlib import Path

from docportal.adapters.tables import idempotency_keys, messaging
from docportal.config import DocportalConfig
from docportal.service_layer import practices
from servicekit.messaging.consumer import Subscription
from servicekit.service import ServiceSpec

SPEC = ServiceSpec(
    name="docportal",
    config_class=DocportalConfig,
    messaging=messaging,
    idempotency_keys=idempotency_keys,
    migrations_dir=Path(__file__).resolve().parent.parent / "migrations",
    subscriptions=(
        Subscription(practices.QUEUE, practices.BINDINGS, practices.record_identity_event),
    ),
)

from pathlib import Path

from audit.adapters.tables import messaging
from audit.config import AuditConfig
from audit.consumers import SUBSCRIPTIONS
from servicekit.service import ServiceSpec

SPEC = ServiceSpec(
    name="audit",
    config_class=AuditConfig,
    messaging=messaging,
    migrations_dir=Path(__file__).resolve().parent.parent / "migrations",
    subscriptions=SUBSCRIPTIONS,
)

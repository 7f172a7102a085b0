from pathlib import Path

from identity.adapters.tables import idempotency_keys, messaging
from identity.config import IdentityConfig
from identity.service_layer import activity_events
from servicekit.messaging.consumer import Subscription
from servicekit.service import ServiceSpec

SPEC = ServiceSpec(
    name="identity",
    config_class=IdentityConfig,
    messaging=messaging,
    idempotency_keys=idempotency_keys,
    migrations_dir=Path(__file__).resolve().parent.parent / "migrations",
    issues_tokens=True,  # it checks revoked tokens against its own tables
    # The platform's activity (notes, shares, invitations, treatment plans): the digests'
    # counters, and the treatment plan notifications people chose.
    subscriptions=(Subscription(activity_events.QUEUE, activity_events.BINDINGS,
                                activity_events.record_activity),),
)

from pathlib import Path

from notes.adapters.tables import idempotency_keys, messaging
from notes.config import NotesConfig
from notes.service_layer.identity_events import handle_identity_event
from servicekit.messaging.consumer import Subscription
from servicekit.service import ServiceSpec

SPEC = ServiceSpec(
    name="notes",
    config_class=NotesConfig,
    messaging=messaging,
    idempotency_keys=idempotency_keys,
    migrations_dir=Path(__file__).resolve().parent.parent / "migrations",
    # identity's users, clinics and practices, kept as a projection in notes' own database.
    subscriptions=(Subscription("notes.identity", ("identity.#",), handle_identity_event),),
)

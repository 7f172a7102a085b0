from functools import lru_cache

from audit.bootstrap import chain_settings, consumer_config, vendor_of
from audit.config import AuditConfig
from audit.domain.recognition import Vendor
from audit.service_layer.anchoring import CHECKPOINT_SIGNED
from audit.service_layer.chain import ChainSettings
from audit.service_layer.record import record_events
from servicekit.db import UnitOfWork
from servicekit.messaging.consumer import Subscription
from servicekit.messaging.envelope import Event


def record_and_recognize(uow: UnitOfWork, event: Event) -> None:
    """Chain and store every event; recognize profiles on identity's, in one transaction."""
    record_and_recognize_all(uow, [event])


def record_and_recognize_all(uow: UnitOfWork, events: list[Event]) -> None:
    """A batch of deliveries: chained and stored together (one INSERT, a head per partition)."""
    # The chain's own anchor is not an event of the clinic: chaining it would move a head,
    # which needs a new checkpoint, which is another event, forever. The witness keeps it.
    clinic_events = [event for event in events if event.type != CHECKPOINT_SIGNED]
    if clinic_events:  # the config is read once per batch, no longer once per event
        record_events(uow, clinic_events, *_settings(consumer_config()))


@lru_cache(maxsize=8)
def _settings(config: AuditConfig) -> tuple[ChainSettings, Vendor]:
    # Built once per config: loading the signing key for every event was most of a
    # record's cost.
    return chain_settings(config), vendor_of(config)


# audit.all sees every event on clinic.events. record_events takes the heads' locks itself,
# in order, after encoding the batch (so nothing but the chaining runs under them).
SUBSCRIPTIONS = (Subscription(queue="audit.all", bindings=("#",), handler=record_and_recognize,
                              batch_handler=record_and_recognize_all),)

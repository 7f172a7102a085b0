from functools import lru_cache

from audit.bootstrap import chain_settings, consumer_config, vendor_of
from audit.config import AuditConfig
from audit.domain.recognition import Vendor
from audit.service_layer.anchoring import CHECKPOINT_SIGNED
from audit.service_layer.chain import ChainSettings, lock_heads_in_order
from audit.service_layer.record import record_event
from servicekit.db import UnitOfWork
from servicekit.messaging.consumer import Subscription
from servicekit.messaging.envelope import Event


def record_and_recognize(uow: UnitOfWork, event: Event) -> None:
    """Chain and store every event; recognize profiles on identity's, in one transaction."""
    if event.type == CHECKPOINT_SIGNED:
        # The chain's own anchor, not an event of the clinic: chaining it would move a head,
        # which needs a new checkpoint, which is another event, forever. The witness keeps it.
        return
    record_event(uow, event, *_settings(consumer_config()))


def lock_chain_heads(uow: UnitOfWork, events: list[Event]) -> None:
    """Before a batch: take its partitions' locks in one order (see lock_heads_in_order)."""
    settings, _ = _settings(consumer_config())
    lock_heads_in_order(uow.session, ({"id": e.id, "org_id": e.org_id} for e in events
                                      if e.type != CHECKPOINT_SIGNED), settings.partitions)


@lru_cache(maxsize=8)
def _settings(config: AuditConfig) -> tuple[ChainSettings, Vendor]:
    # Built once per config: loading the signing key for every event was most of a
    # record's cost.
    return chain_settings(config), vendor_of(config)


# audit.all sees every event on clinic.events.
SUBSCRIPTIONS = (Subscription(queue="audit.all", bindings=("#",), handler=record_and_recognize,
                              prepare=lock_chain_heads),)

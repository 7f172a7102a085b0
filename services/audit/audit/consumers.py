from functools import lru_cache

from audit.config import AuditConfig
from audit.domain.recognition import Vendor
from audit.service_layer.chain import ChainSettings
from audit.service_layer.record import record_event
from audit.wiring import chain_settings, current_config, vendor_of
from servicekit.db import UnitOfWork
from servicekit.messaging.consumer import Subscription
from servicekit.messaging.envelope import Event


def record_and_recognize(uow: UnitOfWork, event: Event) -> None:
    """Chain and store every event; recognize profiles on identity's, in one transaction."""
    # The handler gets no config; the process environment is the consumer's configuration.
    record_event(uow, event, *_settings(current_config()))


@lru_cache(maxsize=8)
def _settings(config: AuditConfig) -> tuple[ChainSettings, Vendor]:
    # Loading the signing key for every event was most of a record's cost.
    return chain_settings(config), vendor_of(config)


# audit.all sees every event on clinic.events.
SUBSCRIPTIONS = (Subscription(queue="audit.all", bindings=("#",), handler=record_and_recognize),)

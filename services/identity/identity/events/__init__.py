"""Every event identity publishes, each defined once (servicekit.messaging.definitions).

Producers build events only through these definitions; ``services/identity/asyncapi.json``
is generated from ``CATALOG`` (``python -m servicekit.messaging.asyncapi identity.events
services/identity/asyncapi.json``) and a test keeps it current.
"""

from identity.events import access, practices, users
from servicekit.messaging.definitions import EventCatalog

TITLE = "Clinic Platform identity events"
CATALOG = EventCatalog("identity", [
    *EventCatalog.collect(vars(users)), *EventCatalog.collect(vars(practices)),
    *EventCatalog.collect(vars(access))])

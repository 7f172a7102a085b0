"""Every event docportal publishes, each defined once (servicekit.messaging.definitions).

``services/docportal/asyncapi.json`` is generated from ``CATALOG`` (``python -m
servicekit.messaging.asyncapi docportal.events services/docportal/asyncapi.json``).
"""

from docportal.events import documents, shares
from servicekit.messaging.definitions import EventCatalog

TITLE = "Clinic Platform docportal events"
CATALOG = EventCatalog("docportal", [*EventCatalog.collect(vars(documents)),
                                     *EventCatalog.collect(vars(shares))])

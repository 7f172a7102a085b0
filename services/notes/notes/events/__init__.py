"""Every event notes publishes, each defined once (servicekit.messaging.definitions).

``services/notes/asyncapi.json`` is generated from ``CATALOG`` (``python -m
servicekit.messaging.asyncapi notes.events services/notes/asyncapi.json``).
"""

from notes.events import notes, patients
from servicekit.messaging.definitions import EventCatalog

TITLE = "Clinic Platform notes events"
CATALOG = EventCatalog("notes", [*EventCatalog.collect(vars(notes)),
                                 *EventCatalog.collect(vars(patients))])

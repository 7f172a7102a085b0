from audit.service_layer.record import record_event
from servicekit.messaging.consumer import Subscription

# audit.all sees every event on clinic.events.
SUBSCRIPTIONS = (Subscription(queue="audit.all", bindings=("#",), handler=record_event),)

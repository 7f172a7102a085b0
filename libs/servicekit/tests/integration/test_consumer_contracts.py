"""A consumer checks incoming data against its producer's AsyncAPI document."""

import uuid

import pytest

from harness import RunningConsumer, effect_ids, messaging, record_effect
from servicekit.messaging.asyncapi import document
from servicekit.messaging.consumer import EventConsumer, Subscription
from servicekit.messaging.contracts import ContractBook
from servicekit.messaging.deadletters import list_dead_letters
from servicekit.messaging.definitions import EventCatalog, EventDefinition, whole
from servicekit.messaging.envelope import Subject, new_event
from servicekit_testing.fixtures import wait_for

pytestmark = pytest.mark.integration

THING_CREATED = EventDefinition("kit.thing.created", "A thing.", data={"n": whole()})


def test_data_off_its_producers_document_goes_to_dead_letters(backend, queue_name):
    runtime = backend()
    book = ContractBook([document(EventCatalog("kit", [THING_CREATED]), "kit")])
    sub = Subscription(queue=queue_name, bindings=("kit.#",), handler=record_effect)
    running = RunningConsumer(EventConsumer(runtime.connection(), sub, runtime.uow, messaging,
                                            contracts=book))
    good = THING_CREATED.event(subject=Subject("thing", str(uuid.uuid4())), org_id="o",
                               data={"n": 1})
    # As an older or broken producer might send it: the document says n is a number.
    bad = new_event("kit.thing.created", subject=Subject("thing", str(uuid.uuid4())),
                    org_id="o", data={"n": "one"})
    try:
        wait_for(lambda: running.consumer.ready.is_set(), timeout=10)
        with runtime.uow() as uow:
            uow.publish(good)
            uow.publish(bad)
            uow.commit()
        runtime.relay().relay_pending()
        wait_for(lambda: running.consumer.dead_lettered == 1 and effect_ids(runtime), timeout=15)
    finally:
        running.stop()
    with runtime.connection() as conn:
        [letter] = list_dead_letters(conn, queue_name)
    assert letter.reason == "off_contract"
    assert effect_ids(runtime) == [good.id]

"""Topic routing as RabbitMQ does it, for handing events to subscriptions without a broker."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from servicekit.db import UnitOfWork
    from servicekit.messaging.consumer import Subscription
    from servicekit.messaging.envelope import Event


def binding_matches(binding: str, routing_key: str) -> bool:
    """AMQP topic matching: ``*`` is one word, ``#`` is zero or more words."""
    return _match(binding.split("."), routing_key.split("."))


def _match(pattern: list[str], words: list[str]) -> bool:
    if not pattern:
        return not words
    head, rest = pattern[0], pattern[1:]
    if head == "#":
        return any(_match(rest, words[i:]) for i in range(len(words) + 1))
    return bool(words) and head in ("*", words[0]) and _match(rest, words[1:])


def deliver(subscriptions: Iterable[Subscription], uow: UnitOfWork, event: Event) -> None:
    """Run, in ``uow``, every subscription's handler whose bindings route ``event`` to it."""
    for subscription in subscriptions:
        if any(binding_matches(b, event.type) for b in subscription.bindings):
            subscription.handler(uow, event)

"""Use cases for practices."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from identity.adapters.tables import practices, users
from servicekit.db import UnitOfWork
from servicekit.messaging.envelope import Actor, Subject, new_event

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
DEFAULT_USER_TYPE = "PT"


class InvalidPractice(ValueError):
    pass


@dataclass(frozen=True)
class PracticeCreated:
    practice_id: str
    owner_id: str


def create_practice(
    uow: UnitOfWork, *, name: str, owner_email: str, owner_name: str | None = None
) -> PracticeCreated:
    """Create a practice and its owner; emit practice.created and user.created."""
    name = name.strip()
    owner_email = owner_email.strip()
    if not name or len(name) > 200:
        raise InvalidPractice("Give the practice a name of 1 to 200 characters.")
    if not EMAIL.match(owner_email):
        raise InvalidPractice("Give the owner's email address, like owner@example.com.")
    now = datetime.now(UTC)
    practice_id, owner_id = str(uuid.uuid4()), str(uuid.uuid4())
    system = Actor(id="identity-cli", kind="system")
    with uow:
        uow.session.execute(practices.insert().values(id=practice_id, name=name, created_at=now))
        uow.session.execute(
            users.insert().values(
                id=owner_id,
                org_id=practice_id,
                email=owner_email,
                email_normalized=owner_email.lower(),
                full_name=owner_name or owner_email.split("@", 1)[0],
                user_type=DEFAULT_USER_TYPE,
                kind="staff",
                status="active",
                created_at=now,
            )
        )
        uow.publish(new_event(
            "identity.practice.created",
            subject=Subject("practice", practice_id),
            org_id=practice_id,
            actor=system,
            data={"name": name, "owner_id": owner_id},
        ))
        uow.publish(new_event(
            "identity.user.created",
            subject=Subject("user", owner_id),
            org_id=practice_id,
            actor=system,
            data={"email": owner_email, "user_type": DEFAULT_USER_TYPE, "kind": "staff",
                  "role": "owner", "status": "active"},
        ))
        uow.commit()
    return PracticeCreated(practice_id=practice_id, owner_id=owner_id)

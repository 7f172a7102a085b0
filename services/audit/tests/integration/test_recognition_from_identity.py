"""Recognition on the events identity's own use cases publish (its outbox, as relayed).

The practice the CLI creates (actor: the platform), the owner adding a colleague and a
vendor employee entering under a grant must raise nothing; a creation by a profile that
lost manage_users must.
"""

from datetime import UTC, datetime, timedelta

import pytest
from audit_harness import new_id
from sqlalchemy import select

from audit.adapters.tables import alerts
from servicekit.messaging.envelope import Actor, Subject, decode_event, new_event
from servicekit.migrations import upgrade

pytest.importorskip("identity")

from identity.adapters.mail_memory import MemoryMailer
from identity.domain.catalog import load_catalog  # noqa: E402
from identity.service_layer.callers import Caller  # noqa: E402
from identity.service_layer.practices import create_practice  # noqa: E402
from identity.service_layer.users import add_user, change_permissions  # noqa: E402
from identity.spec import SPEC as IDENTITY  # noqa: E402

pytestmark = pytest.mark.integration


@pytest.fixture
def identity(tmp_path):
    url = f"sqlite:///{tmp_path / 'identity.db'}"
    upgrade(IDENTITY.migrations_dir, url)
    runtime = IDENTITY.runtime(IDENTITY.load_config(database_url=url, local_dir=tmp_path))
    yield runtime
    runtime.close()


def relayed(identity, after: int = 0) -> tuple[list, int]:
    """The events identity's relay would publish, from its outbox, after row ``after``."""
    outbox = identity.messaging.outbox
    with identity.engine.connect() as conn:
        rows = conn.execute(select(outbox.c.id, outbox.c.payload).where(outbox.c.id > after)
                            .order_by(outbox.c.id)).all()
    return [decode_event(r.payload) for r in rows], (rows[-1].id if rows else after)


def stored_alerts(audit):
    with audit.engine.connect() as conn:
        return conn.execute(select(alerts)).mappings().all()


def test_the_cli_practice_and_an_owner_added_colleague_raise_nothing(identity, audit, feed):
    catalog, now = load_catalog(), datetime.now(UTC)
    created = create_practice(identity.uow(), name="Sunrise PT",
                              owner_email="owner@sunrise.example", catalog=catalog)
    owner = Caller(created.owner_id, created.practice_id)
    colleague = add_user(identity.uow(), owner, email="ann@sunrise.example",
                         full_name="Ann Able", user_type="PT", default_clinic_id=None,
                         clinic_ids=[], supervising_therapist_id=None, catalog=catalog,
                         mailer=MemoryMailer(), now=now).view.user
    events, last = relayed(identity)
    assert "identity.practice.created" in {e.type for e in events}
    feed(*events)
    assert stored_alerts(audit) == []

    # The colleague is made a User Manager, then loses it; identity would refuse their
    # add_user, so a creation in their name means identity's check was bypassed.
    for grant, revoke in ((["manage_users"], []), ([], ["manage_users"])):
        change_permissions(identity.uow(), owner, colleague.id, grant=grant, revoke=revoke,
                           acknowledged=True, catalog=catalog, now=now)
    changes, _ = relayed(identity, last)
    feed(*changes)
    assert stored_alerts(audit) == []
    made = new_id()
    feed(new_event("identity.user.created", subject=Subject("user", made),
                   org_id=created.practice_id, actor=Actor(id=colleague.id, kind="staff"),
                   occurred_at=now + timedelta(seconds=1),
                   data={"email": "friend@sunrise.example", "full_name": "F", "kind": "staff",
                         "status": "active", "permissions": ["view_patients"]}))
    [alert] = stored_alerts(audit)
    assert (alert["reason"], alert["profile_id"]) == ("created_without_manage_users", made)

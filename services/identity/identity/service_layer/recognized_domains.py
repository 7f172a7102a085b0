"""An Admin changes the email domains the practice recognizes; audit re-judges its profiles."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from identity.adapters.practice_domains import save_recognized_domains
from identity.adapters.repository import IdentityRepository
from identity.domain.catalog import UserTypeCatalog
from identity.domain.profile_rules import require_may_act
from identity.domain.recognized_domains import change_recognized_domains
from identity.events.practices import PRACTICE_RECOGNIZED_DOMAINS_CHANGED
from identity.service_layer.callers import Caller, event_actor, load_actor
from servicekit.db import UnitOfWork
from servicekit.messaging.envelope import Subject

CHANGED = PRACTICE_RECOGNIZED_DOMAINS_CHANGED


def recognized_domains(uow: UnitOfWork, caller: Caller, now: datetime) -> list[str]:
    """The practice's recognized domains, sorted, for its staff (and vendor support)."""
    with uow:
        repo = IdentityRepository(uow.session)
        require_may_act(load_actor(repo, caller, now), caller.org_id, now)
        return sorted(repo.practice(caller.org_id).recognized_domains)


def set_recognized_domains(
    uow: UnitOfWork, caller: Caller, domains: Iterable[str], *, vendor_domain: str,
    catalog: UserTypeCatalog, now: datetime,
) -> list[str]:
    """Replace the list and tell the other services (audit judges profiles by it); a list
    equal to the stored one changes nothing and emits nothing."""
    with uow:
        repo = IdentityRepository(uow.session)
        actor = load_actor(repo, caller, now)
        practice = repo.practice(caller.org_id)
        changed = change_recognized_domains(actor, practice, domains,
                                            vendor_domain=vendor_domain, catalog=catalog,
                                            now=now)
        if changed == practice.recognized_domains:
            return sorted(changed)
        save_recognized_domains(uow.session, practice.id, changed)
        uow.publish(CHANGED.event(
            subject=Subject("practice", practice.id), org_id=practice.id,
            actor=event_actor(actor.user), occurred_at=now, data={
                "recognized_domains": sorted(changed),
                "before": {"recognized_domains": sorted(practice.recognized_domains)},
                "after": {"recognized_domains": sorted(changed)},
            }))
        uow.commit()
    return sorted(changed)

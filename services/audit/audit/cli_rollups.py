"""`audit rollups rebuild` and `audit rollups check`: the access rollups against the record
(registered on the `audit` command by audit.cli)."""

from __future__ import annotations

import time

import click

from audit.service_layer.access_rollups import check_access_rollups, rebuild_access_rollups
from audit.spec import SPEC


def register(main: click.Group) -> None:
    @main.group()
    def rollups() -> None:
        """The access rollups the access reports read (kept with each stored record)."""

    @rollups.command()
    def rebuild() -> None:
        """Recount every access rollup from the stored record, in one transaction.

        Holds every chain head meanwhile, so ingest waits (about a minute per million
        records); reports keep reading the old rollups until the commit.
        """
        runtime = SPEC.runtime()
        began = time.monotonic()
        try:
            with runtime.uow() as uow:
                rebuild_access_rollups(uow.session)
                uow.commit()
        finally:
            runtime.close()
        click.echo(f"access rollups rebuilt from the record in {time.monotonic() - began:.1f} s")

    @rollups.command()
    def check() -> None:
        """Recount the access rollups from the stored record and compare; exit 1 if they
        differ (then run `audit rollups rebuild`)."""
        runtime = SPEC.runtime()
        try:
            with runtime.uow() as uow:
                found = check_access_rollups(uow.session)
        finally:
            runtime.close()
        if found.equal:
            click.echo("access rollups equal a recount of the record")
            return
        click.echo(f"access rollups differ from a recount of the record in "
                   f"{found.differing_rows} rows; run `audit rollups rebuild`")
        for key in found.examples:
            click.echo(f"  actor {key['actor_id']} practice {key['org_id'] or '-'} "
                       f"day {key['day']} action {key['action']}")
        raise SystemExit(1)

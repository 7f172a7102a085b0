import json

import click

from audit.service_layer.chain import verify_stored_chain
from audit.service_layer.record import latest_events
from audit.spec import SPEC
from audit.wiring import checkpoint_verifier
from servicekit.cli import service_cli

main = service_cli(SPEC)


@main.command()
@click.option("--tail", "count", default=20, show_default=True, help="How many of the newest.")
def events(count: int) -> None:
    """Print the newest stored events, one JSON object a line, oldest first."""
    runtime = SPEC.runtime()
    with runtime.uow() as uow:
        for row in latest_events(uow.session, count):
            click.echo(json.dumps({
                "seq": row["seq"], "type": row["type"], "event_id": row["event_id"],
                "org_id": row["org_id"], "actor_id": row["actor_id"],
                "patient_id": row["patient_id"], "occurred_at": row["occurred_at"].isoformat(),
            }))


@main.command()
def verify() -> None:
    """Check the hash chain and signed checkpoints; say "intact" or name the first bad record."""
    runtime = SPEC.runtime()
    with runtime.uow() as uow:
        report = verify_stored_chain(uow.session, checkpoint_verifier(runtime.config))
    runtime.close()
    if report.intact:
        click.echo(f"intact ({report.records_checked} records)")
        return
    click.echo(
        f"NOT intact: first bad record partition {report.partition} seq {report.chain_seq} "
        f"(event {report.event_id or 'missing'}): {report.reason}"
    )
    raise SystemExit(1)

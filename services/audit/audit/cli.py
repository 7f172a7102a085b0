import json
from collections.abc import Callable
from datetime import UTC, datetime

import click

from audit.bootstrap import anchor_settings, signer_for, verify_settings
from audit.cli_push import register as register_alert_push
from audit.cli_rollups import register as register_rollups
from audit.config import AuditConfig
from audit.service_layer.anchoring import Anchorer
from audit.service_layer.checkpoint_worker import run_checkpoint_worker, verify_and_alert
from audit.service_layer.queries import latest_events
from audit.service_layer.verification import ChainReport, verify_stored_chain
from audit.service_layer.witness import WitnessUnavailable
from audit.spec import SPEC
from servicekit.cli import service_cli
from servicekit.logs import configure_logging
from servicekit.runtime import Runtime
from servicekit.workers import run_worker

main = service_cli(SPEC)


def _now() -> datetime:
    return datetime.now(UTC)


@main.command()
@click.option("--tail", "count", default=20, show_default=True, help="How many of the newest.")
def events(count: int) -> None:
    """Print the newest stored events, one JSON object a line, oldest first."""
    runtime = SPEC.runtime()
    for row in latest_events(runtime.uow(), count):
        click.echo(json.dumps({
            "seq": row["seq"], "type": row["type"], "event_id": row["event_id"],
            "org_id": row["org_id"], "actor_id": row["actor_id"],
            "patient_id": row["patient_id"], "occurred_at": row["occurred_at"].isoformat(),
        }))


def _verifier_of(runtime: Runtime) -> Callable[[], ChainReport]:
    config = runtime.config
    assert isinstance(config, AuditConfig)

    def verify() -> ChainReport:
        settings = verify_settings(config)
        with runtime.uow() as uow:
            return verify_stored_chain(uow.session, settings.verifier,
                                       witness=settings.witness, grace=settings.grace)
    return verify


@main.command()
@click.option("--alert", is_flag=True,
              help="On a break, also raise a critical audit.alert.raised (scheduled runs).")
def verify(alert: bool) -> None:
    """Check every chain against its checkpoints and the witness; exit 1 on any break.

    Says "intact", or names per partition the first break and its kind (edited, deleted,
    reordered, truncated, partition_missing, checkpoint_missing, checkpoint_forged,
    rolled_back). Exit 2 when the witness cannot be read.
    """
    runtime = SPEC.runtime()
    try:
        check = _verifier_of(runtime)
        report = verify_and_alert(runtime.uow(), check) if alert else check()
    except WitnessUnavailable as err:
        click.echo(f"cannot verify: {err}")
        raise SystemExit(2) from None
    finally:
        runtime.close()
    if report.intact:
        click.echo(f"intact ({report.records_checked} records), anchored in {report.witness}")
        return
    click.echo(
        f"NOT intact: first bad record partition {report.partition} seq {report.chain_seq} "
        f"(event {report.event_id or 'missing'}): {report.reason}"
    )
    for found in report.breaks:
        click.echo(f"  partition {found.partition}: {found.kind} at seq {found.chain_seq} "
                   f"(event {found.event_id or 'missing'}): {found.reason}")
    raise SystemExit(1)


@main.command(name="checkpoint-worker")
@click.option("--once", is_flag=True, help="Sign and anchor what is due now, then exit.")
def checkpoint_worker(once: bool) -> None:
    """Sign quiet partitions, copy checkpoints to the witness, verify now and then."""
    config = SPEC.load_config()
    assert isinstance(config, AuditConfig)
    configure_logging("audit-checkpoint-worker", config.log_level)
    runtime = SPEC.runtime(config)
    settings = anchor_settings(config)
    ensure = getattr(settings.witness, "ensure_bucket", None)
    try:
        if ensure is not None:
            ensure()
        anchorer = Anchorer(settings)
        if once:
            done = anchorer.run_once(runtime.uow(), _now())
            click.echo(f"audit: {len(done.signed)} checkpoints signed, {len(done.anchored)} "
                       f"anchored in {settings.witness.where}, {len(done.breaks)} breaks")
            return
        run_worker(runtime, lambda stop: run_checkpoint_worker(
            runtime.uow(), anchorer, _now, stop, poll_seconds=config.anchor_poll_seconds,
            verify_every=config.verify_every_seconds, verify=_verifier_of(runtime)))
    finally:
        runtime.close()


@main.command(name="signing-key")
def signing_key() -> None:
    """Print the checkpoint key's id and public key (for AUDIT_VERIFY_KEYS and auditors)."""
    signer = signer_for(SPEC.load_config())
    click.echo(f"key id {signer.key_id}")
    click.echo(signer.public_pem().decode("ascii"), nl=False)


register_alert_push(main)
register_rollups(main)

import click

from identity.service_layer.practices import InvalidPractice, create_practice
from identity.spec import SPEC
from servicekit.cli import service_cli

main = service_cli(SPEC)


@main.command(name="create-practice")
@click.option("--name", required=True, help="The practice's name.")
@click.option("--owner-email", required=True, help="The owner's sign-in email.")
@click.option("--owner-name", default=None, help="The owner's full name.")
def create_practice_command(name: str, owner_email: str, owner_name: str | None) -> None:
    """Create a practice and its owner."""
    runtime = SPEC.runtime()
    try:
        created = create_practice(
            runtime.uow(), name=name, owner_email=owner_email, owner_name=owner_name
        )
    except InvalidPractice as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"practice {created.practice_id} created; owner {created.owner_id}")

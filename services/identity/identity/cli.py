from datetime import UTC, datetime
from urllib.parse import urlencode

import click

from identity.adapters.password_hashing import PasswordHashing
from identity.cli_mail import register as register_mail_commands
from identity.config import IdentityConfig
from identity.domain.errors import IdentityError
from identity.service_layer.practices import DEFAULT_SEATS, InvalidPractice, create_practice
from identity.service_layer.vendor import add_vendor_staff
from identity.spec import SPEC
from servicekit.cli import service_cli

main = service_cli(SPEC)
register_mail_commands(main)  # mail-worker, digests send


@main.command(name="create-practice")
@click.option("--name", required=True, help="The practice's name.")
@click.option("--owner-email", required=True, help="The owner's sign-in email.")
@click.option("--owner-name", default=None, help="The owner's full name.")
@click.option("--seats", default=DEFAULT_SEATS, show_default=True, type=int,
              help="Licensed seats.")
@click.option("--domain", "domains", multiple=True,
              help="A recognized staff email domain (repeat; default: the owner's).")
@click.option("--owner-password", default=None,
              help="Set the owner's password now instead of printing a setup token.")
@click.option("--model", "model", default="therapy", show_default=True,
              type=click.Choice(["therapy", "dental"]),
              help="The vocabulary its staff follow: therapy or dental user types.")
@click.option("--time-zone", "time_zone", default="UTC", show_default=True,
              help="The first clinic's IANA time zone, e.g. America/New_York.")
def create_practice_command(
    name: str, owner_email: str, owner_name: str | None, seats: int, domains: tuple[str, ...],
    owner_password: str | None, model: str, time_zone: str,
) -> None:
    """Create a practice, its first clinic, its owner and its automation profile."""
    config = SPEC.load_config()
    assert isinstance(config, IdentityConfig)
    runtime = SPEC.runtime(config)
    try:
        created = create_practice(
            runtime.uow(), name=name, owner_email=owner_email, owner_name=owner_name,
            seats=seats, domains=domains, owner_password=owner_password,
            vendor_name=config.vendor_name, vendor_domain=config.vendor_domain, model=model,
            time_zone=time_zone,
        )
    except (InvalidPractice, IdentityError) as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        runtime.close()
    click.echo(f"practice {created.practice_id} created; owner {created.owner_id}")
    if created.password_setup_token:
        _echo_setup_link(config, "the owner sets", created.password_setup_token)


@main.group(name="vendor-staff")
def vendor_staff_group() -> None:
    """The vendor's own employees (support staff and support admins)."""


@vendor_staff_group.command(name="add")
@click.option("--email", required=True, help="Their work address at the vendor's domain.")
@click.option("--name", "full_name", required=True, help="Their full name.")
@click.option("--support-admin", is_flag=True,
              help="May grant and revoke access to practices.")
@click.option("--password", default=None,
              help="Set the password now instead of printing a setup token.")
def add_vendor_staff_command(email: str, full_name: str, support_admin: bool,
                             password: str | None) -> None:
    """Add a vendor employee; they enter practices only under access grants."""
    config = SPEC.load_config()
    assert isinstance(config, IdentityConfig)
    runtime = SPEC.runtime(config)
    try:
        added = add_vendor_staff(
            runtime.uow(), email=email, full_name=full_name, support_admin=support_admin,
            password=password, vendor_name=config.vendor_name,
            vendor_domain=config.vendor_domain, hashing=PasswordHashing(), now=datetime.now(UTC),
        )
    except IdentityError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        runtime.close()
    role = "support admin" if support_admin else "support staff"
    click.echo(f"vendor {role} {added.user_id} added")
    if added.password_setup_token:
        _echo_setup_link(config, "they set", added.password_setup_token)


def _echo_setup_link(config: IdentityConfig, who: str, token: str) -> None:
    """The operator hands this link on; it works once, for 72 hours."""
    click.echo(f"{who} a password once (valid 72 hours) on the page:")
    click.echo(f"  {config.staff_app_url.rstrip('/')}/get-started?{urlencode({'token': token})}")
    click.echo("or through the gateway's API:")
    click.echo(f"  POST /api/identity/password/set {{\"token\": \"{token}\", "
               "\"password\": \"...\"}")

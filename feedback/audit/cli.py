"""`flask audit verify`: check that no audit entry was altered or removed."""
import click
from flask.cli import AppGroup

from .services import verify_chain

audit_cli = AppGroup("audit", help="The hash-chained audit log.")


@audit_cli.command("verify")
def verify_command():
    """Recompute the chain; exit 1 naming the first entry that does not match."""
    checked, broken = verify_chain()
    if broken is not None:
        raise click.ClickException(f"audit chain broken at entry {broken.id} ({broken.action} {broken.entity} "
                                   f"{broken.entity_id}); {checked} entries before it are intact")
    click.echo(f"audit chain intact: {checked} entries")

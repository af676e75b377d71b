"""`flask privacy retention`: apply the retention rule for raw respondent data (ratings/retention.py)."""
import click
from flask.cli import AppGroup

from ..db import db

privacy_cli = AppGroup("privacy", help="Personal data: the retention rule.")


@privacy_cli.command("retention")
@click.option("--dry-run", is_flag=True, help="Count what would change; change nothing.")
def retention_command(dry_run):
    """Re-key old address hashes, delete old rejected comments, codes, sessions and counters."""
    from .retention import apply_retention

    done = apply_retention(dry_run=dry_run)
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    click.echo(("would change: " if dry_run else "changed: ") + ", ".join(f"{k} {v}" for k, v in done.items()))

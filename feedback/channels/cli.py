"""flask channels short-codes | send-replies"""
import click
from flask.cli import AppGroup

from ..db import db

channels_cli = AppGroup("channels", help="SMS and messenger short codes and replies.")


@channels_cli.command("short-codes")
def short_codes():
    """Give every municipality and subject its SMS short code (codes once given never change)."""
    from .shortcodes import ensure_all

    created = ensure_all()
    db.session.commit()
    click.echo(f"{created} short code(s) created")


@channels_cli.command("send-replies")
def send_replies():
    """Send the replies that are due (run every minute: failed deliveries are retried with back-off)."""
    from .outbox import deliver

    sent, waiting = deliver()
    click.echo(f"{sent} sent, {waiting} waiting for a retry")

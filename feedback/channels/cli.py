"""flask channels short-codes | send-replies | worker"""
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
    """Send the replies that are due (run every minute): failed deliveries are retried with back-off;
    with REDIS_URL set, only those whose queued job was lost (the worker sends the others)."""
    from ..delivery import sweep
    from .outbox import KIND

    sent, waiting = sweep(KIND)
    click.echo(f"{sent} sent, {waiting} waiting for a retry")


@channels_cli.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty (instead of waiting for jobs).")
def worker(burst):
    """Run the RQ worker that delivers SMS (replies and answer notices) when REDIS_URL is set.
    Run it as a service (deploy/systemd/feedback-worker.service); retries are scheduled by it too."""
    from flask import current_app

    from ..delivery import worker as run_worker

    try:
        run_worker(current_app._get_current_object(), burst=burst)
    except RuntimeError as error:
        raise click.ClickException(str(error)) from None

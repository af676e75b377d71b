"""`flask answers send-sms`: hand the SMS notices that are due to the gateway (retries failures)."""
import click
from flask import current_app
from flask.cli import AppGroup

answers_cli = AppGroup("answers", help="Answers of local governments to residents.")


@answers_cli.command("send-sms")
@click.option("--base-url", default=None,
              help="The public address of the site, for the link in the SMS (default: FEEDBACK_PUBLIC_URL).")
def send_sms(base_url):
    """Send the due 'your comment was answered' SMS; a failure stays due for the next run."""
    from ..delivery import sweep
    from .notices import KIND

    sent, failed = sweep(KIND, base_url or current_app.config.get("PUBLIC_URL"))
    click.echo(f"sent {sent}, failed {failed} (kept for the next run)")

"""`flask answers send-sms`: hand the SMS notices that are due to the gateway (retries failures)."""
import click
from flask import current_app, url_for
from flask.cli import AppGroup

answers_cli = AppGroup("answers", help="Answers of local governments to residents.")


@answers_cli.command("send-sms")
@click.option("--base-url", default="http://localhost/", show_default=True,
              help="The public address of the site, for the link in the SMS.")
def send_sms(base_url):
    """Send the due 'your comment was answered' SMS; a failure stays due for the next run."""
    from ..ratings.sms import get_backend
    from .services import deliver_due

    app = current_app._get_current_object()
    with app.test_request_context(base_url=base_url):
        sent, failed = deliver_due(get_backend(app), lambda lang, code: url_for(
            "scorecards.scorecard", lang=lang, code=code, _external=True))
    click.echo(f"sent {sent}, failed {failed} (kept for the next run)")

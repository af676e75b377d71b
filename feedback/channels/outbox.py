"""Delivering replies: from the outbox, after the webhook has answered, with retries.

The webhook only adds the reply to the outbox (a table, so that nothing is lost when a process
stops); the view hands the new message to ``deliver`` after its response has gone out
(``call_on_close``), so a slow gateway never holds the webhook. A failed delivery waits 1, 2, 4, …
minutes; ``flask channels send-replies`` (run every minute from cron or a timer) sends what is due.
After the last attempt, or once delivered, the number is erased.
"""
import datetime as dt

from flask import Flask, current_app
from sqlalchemy import select

from ..db import db, utcnow
from ..ratings.sms import SmsError, get_backend
from .models import OutboundMessage

MAX_ATTEMPTS = 6
FIRST_RETRY_SECONDS = 60


def _send(backend, message: OutboundMessage) -> None:
    message.attempts += 1
    try:
        backend.send(message.phone, message.text)
    except SmsError as error:
        message.last_error = str(error)[:200]
        if message.attempts >= MAX_ATTEMPTS:
            message.failed, message.phone = True, None
        else:
            delay = FIRST_RETRY_SECONDS * 2 ** (message.attempts - 1)
            message.next_attempt_at = utcnow() + dt.timedelta(seconds=delay)
    else:
        message.sent_at, message.phone, message.last_error = utcnow(), None, None


def deliver(ids: list[int] | None = None) -> tuple[int, int]:
    """Send the due messages (only these ids when given); commits each. Returns (sent, still waiting)."""
    backend = get_backend(current_app)
    query = select(OutboundMessage).where(OutboundMessage.sent_at.is_(None), OutboundMessage.failed.is_(False),
                                          OutboundMessage.next_attempt_at <= utcnow())
    if ids is not None:
        query = query.where(OutboundMessage.id.in_(ids))
    sent = waiting = 0
    for message in db.session.scalars(query.order_by(OutboundMessage.id).with_for_update(skip_locked=True)).all():
        _send(backend, message)
        db.session.commit()
        sent += message.sent_at is not None
        waiting += message.sent_at is None and not message.failed
    return sent, waiting


def deliver_after_response(app: Flask, message_id: int):
    """A callable for ``response.call_on_close``: delivers one message in its own app context."""
    def run():
        with app.app_context():
            try:
                deliver([message_id])
            except Exception:  # the cron command retries; the webhook's answer is already sent
                db.session.rollback()
                app.logger.exception("SMS reply %s not delivered; it stays in the outbox", message_id)
    return run

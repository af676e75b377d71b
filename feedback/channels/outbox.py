"""The outbox of SMS replies to the webhook (``OutboundMessage``), delivered by ``feedback.delivery``.

The webhook only adds the reply to the outbox and commits; ``delivery.dispatch`` then enqueues its
job (Redis) or sends it after the response (no Redis), so a slow gateway never holds the webhook.
``flask channels send-replies`` (every minute) sweeps what is due. Once delivered, or after the last
attempt, the number is erased.
"""
from ..db import utcnow
from ..delivery import Outbox, register
from .models import OutboundMessage

KIND = "reply"


def _sent(message: OutboundMessage) -> None:
    message.sent_at, message.phone = utcnow(), None


def _given_up(message: OutboundMessage) -> None:
    message.failed, message.phone = True, None


def _message(message: OutboundMessage) -> tuple[str, str]:
    if not message.phone:
        raise ValueError("no number")
    return message.phone, message.text


OUTBOX = register(Outbox(
    kind=KIND, model=OutboundMessage,
    pending=lambda: OutboundMessage.sent_at.is_(None) & OutboundMessage.failed.is_(False),
    message=_message, sent=_sent, given_up=_given_up))

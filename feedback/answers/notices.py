"""The outbox of "your comment was answered" SMS (``SmsNotice``), delivered by ``feedback.delivery``.

A notice becomes ``due`` when its comment is answered (and the resident asked for it); the request
commits, then hands the new due notices to ``delivery.dispatch`` (a queued job with Redis, else after
the response). ``flask answers send-sms`` sweeps what is due. The number is kept encrypted until it
is handed to the gateway (or given up after the last attempt), then erased.
"""
from flask import url_for
from sqlalchemy import select

from ..db import db, utcnow
from ..delivery import Outbox, register
from ..ratings.models import Rating
from .models import SmsNotice

KIND = "notice"


def _message(notice: SmsNotice) -> tuple[str, str]:
    from cryptography.fernet import InvalidToken  # not at import: see services._fernet

    from .services import SMS_TEXT, _fernet

    if not notice.phone_cipher:
        raise ValueError("no number")
    try:
        phone = _fernet().decrypt(notice.phone_cipher.encode()).decode()
    except InvalidToken:
        raise ValueError("undecryptable") from None
    rating = db.session.get(Rating, notice.rating_id)
    url = url_for("scorecards.scorecard", lang=notice.language, code=rating.municipality_code, _external=True)
    return phone, SMS_TEXT[notice.language] % {"url": url}


def _sent(notice: SmsNotice) -> None:
    notice.status, notice.sent_at, notice.phone_cipher = "sent", utcnow(), None


def _given_up(notice: SmsNotice) -> None:
    notice.status, notice.phone_cipher = "failed", None


def new_due_ids() -> list[int]:
    """Notices made due and never tried yet: what a request that just committed hands to delivery."""
    return list(db.session.scalars(select(SmsNotice.id).where(SmsNotice.status == "due", SmsNotice.attempts == 0)
                                   .order_by(SmsNotice.id)))


OUTBOX = register(Outbox(kind=KIND, model=SmsNotice, pending=lambda: SmsNotice.status == "due",
                         message=_message, sent=_sent, given_up=_given_up))

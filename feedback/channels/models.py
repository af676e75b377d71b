"""Channels other than the web form: short codes for SMS and messengers, inbound messages, the
outbox of replies, and paper questionnaires entered by monitors."""
import datetime as dt

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..db import SoateCode, db, utcnow

SHORT_CODE_KINDS = ("municipality", "subject")


class ShortCode(db.Model):
    """A short code typed in an SMS: stored once when first generated, so that it never changes
    when the registry or the catalog is reloaded (posters with it stay on walls for years)."""

    __tablename__ = "short_code"
    __table_args__ = (
        UniqueConstraint("kind", "target"),
        CheckConstraint("kind IN ('municipality', 'subject')", name="kind"),
    )

    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))
    target: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class InboundMessage(db.Model):
    """One message from a gateway, kept by its gateway id so that a resent message is processed once."""

    __tablename__ = "inbound_message"
    __table_args__ = (UniqueConstraint("gateway", "gateway_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    gateway: Mapped[str] = mapped_column(String(20))
    gateway_id: Mapped[str] = mapped_column(String(100))
    # Keyed hash of the sender's number (respondents.keyed_hash); the number itself is not kept here.
    phone_hash: Mapped[str] = mapped_column(String(64), index=True)
    lang: Mapped[str] = mapped_column(String(2))
    # "rated", "replaced", "help", or the parsing / rating error code.
    outcome: Mapped[str] = mapped_column(String(40))
    rating_id: Mapped[int | None] = mapped_column(ForeignKey("rating.id", ondelete="SET NULL"))
    received_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class OutboundMessage(db.Model):
    """A reply waiting to be delivered, retried with a growing delay. The number is needed to send
    it, so it is kept only until delivery (or until retries are given up) and then erased."""

    __tablename__ = "outbound_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    inbound_id: Mapped[int | None] = mapped_column(ForeignKey("inbound_message.id", ondelete="SET NULL"))
    gateway: Mapped[str] = mapped_column(String(20))
    phone: Mapped[str | None] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(String(640))
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    failed: Mapped[bool] = mapped_column(default=False)
    last_error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PaperForm(db.Model):
    """A paper questionnaire entered by a monitor: its printed number is entered once per
    municipality and period; the rating it produced is marked ``assisted``."""

    __tablename__ = "paper_form"
    __table_args__ = (UniqueConstraint("municipality_code", "period", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_code: Mapped[SoateCode] = mapped_column(ForeignKey("municipality.code"))
    period: Mapped[int]
    number: Mapped[str] = mapped_column(String(20))
    respondent_id: Mapped[int] = mapped_column(ForeignKey("respondent.id"))
    entered_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

"""Citizen ratings: one respondent × one municipality × one subject × one period.

A second submission by the same respondent replaces the first. Ratings caught by an anti-abuse rule
are stored as ``quarantined`` with the rule's name, never counted, and shown as such.
"""
import datetime as dt

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import CatalogCode, SoateCode, db, utcnow  # noqa: F401  (utcnow: also used by callers)

RATING_STATUSES = ("accepted", "quarantined")
COMMENT_STATUSES = ("pending", "approved", "rejected")
SEXES = ("female", "male")
AGE_BANDS = ("under_18", "18_29", "30_44", "45_59", "60_plus")
SOURCES = ("web", "api")
# How the rating reached us: the web form, the web offline queue, SMS/messenger, a paper form
# entered by a monitor. Every channel goes through services.submit_rating and its rules.
CHANNELS = ("web", "offline_web", "sms", "assisted")



class Respondent(db.Model):
    """Whoever rates: a device (a long-lived signed cookie), optionally with a verified phone."""

    __tablename__ = "respondent"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    # Keyed hash (HMAC-SHA256) of the normalised phone number; the number itself is never stored.
    phone_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    phone_verified_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    @property
    def verified(self) -> bool:
        return self.phone_verified_at is not None


class Rating(db.Model):
    __tablename__ = "rating"
    __table_args__ = (
        UniqueConstraint("respondent_id", "municipality_code", "subject_code", "period"),
        CheckConstraint("overall BETWEEN 1 AND 5", name="overall"),
        CheckConstraint("status IN ('accepted', 'quarantined')", name="status"),
        CheckConstraint("comment_status IS NULL OR comment_status IN ('pending', 'approved', 'rejected')", name="comment_status"),
        CheckConstraint("channel IN ('web', 'offline_web', 'sms', 'assisted')", name="channel"),
        Index("ix_rating_scope", "municipality_code", "subject_code", "period", "status"),
        # The anti-abuse windows (abuse.quarantine_rule) count by updated_at: per municipality, and per
        # address (without this one every submission scanned the whole table).
        Index("ix_rating_burst", "municipality_code", "updated_at"),
        Index("ix_rating_address_recent", "address_hash", "updated_at"),
        # A municipality's published comments (the scorecard's comments and responsiveness track)
        # without reading its other ratings.
        Index("ix_rating_comments", "municipality_code", "comment_status", "period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    respondent_id: Mapped[int] = mapped_column(ForeignKey("respondent.id"), index=True)
    municipality_code: Mapped[SoateCode] = mapped_column(ForeignKey("municipality.code"))
    subject_code: Mapped[CatalogCode] = mapped_column(ForeignKey("subject.code"))
    period: Mapped[int]
    overall: Mapped[int]
    comment: Mapped[str | None] = mapped_column(String(1000))
    comment_status: Mapped[str | None] = mapped_column(String(20))
    # Why the moderator should look: "link", "phone", "email" (comma-separated), or empty.
    comment_flags: Mapped[str] = mapped_column(String(100), default="")
    sex: Mapped[str | None] = mapped_column(String(10))
    age_band: Mapped[str | None] = mapped_column(String(10))
    village_code: Mapped[SoateCode | None] = mapped_column(ForeignKey("village.code"))
    status: Mapped[str] = mapped_column(String(20), default="accepted")
    quarantine_rule: Mapped[str | None] = mapped_column(String(40))
    verified: Mapped[bool] = mapped_column(default=False)
    source: Mapped[str] = mapped_column(String(10), default="web")
    channel: Mapped[str] = mapped_column(String(12), default="web", server_default="web")
    # The idempotency key of the submission that last wrote this rating (every key is in SubmissionKey).
    client_id: Mapped[str | None] = mapped_column(String(64))
    # Keyed hash of the client address, for the burst rule; the address itself is not stored.
    address_hash: Mapped[str] = mapped_column(String(64), default="")
    replacements: Mapped[int] = mapped_column(default=0)
    # Moderation: of the comment, and of a quarantined rating ("released" counts it, "confirmed" not).
    comment_moderated_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    comment_moderated_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    comment_rejection_reason: Mapped[str | None] = mapped_column(String(500))
    quarantine_decision: Mapped[str | None] = mapped_column(String(10))
    quarantine_reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    quarantine_reviewed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    respondent: Mapped[Respondent] = relationship()
    criteria: Mapped[list["CriterionScore"]] = relationship(cascade="all, delete-orphan", order_by="CriterionScore.criterion_code")

    @property
    def counted(self) -> bool:
        return self.status == "accepted"


class SubmissionKey(db.Model):
    """Every client_id ever accepted, so that a resent submission (an offline queue retrying) is
    recognised even after a later submission replaced the rating it wrote."""

    __tablename__ = "submission_key"

    client_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    rating_id: Mapped[int] = mapped_column(ForeignKey("rating.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CriterionScore(db.Model):
    """A criterion's score 1–5 within a rating; "don't know" is stored as NULL and never averaged."""

    __tablename__ = "criterion_score"
    __table_args__ = (CheckConstraint("score IS NULL OR score BETWEEN 1 AND 5", name="score"),)

    rating_id: Mapped[int] = mapped_column(ForeignKey("rating.id", ondelete="CASCADE"), primary_key=True)
    criterion_code: Mapped[CatalogCode] = mapped_column(ForeignKey("criterion.code"), primary_key=True)
    score: Mapped[int | None]


class PhoneVerification(db.Model):
    """A one-time code sent to a phone. Only keyed hashes of the number and the code are stored."""

    __tablename__ = "phone_verification"

    id: Mapped[int] = mapped_column(primary_key=True)
    respondent_id: Mapped[int] = mapped_column(ForeignKey("respondent.id"), index=True)
    phone_hash: Mapped[str] = mapped_column(String(64), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

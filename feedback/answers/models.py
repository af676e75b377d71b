"""An LSG's public answer to one or more approved comments on one subject (or a commitment taken
from its action plan), the action it may promise, and the residents' judgement of it.

Every answer and status change is written to the audit log (services), with the before and after
of every edit. A withdrawn answer (``withdrawn_at``) is no longer public anywhere; its row stays for
the audit and the responsiveness index (services.withdraw says how it counts). Residents' judgements are
theirs: one per respondent and answer, changed by judging again.
"""
import datetime as dt

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import CatalogCode, LongText, Name, SoateCode, db, utcnow

ANSWER_KINDS = ("reply", "commitment")
PROMISE_STATUSES = ("promised", "done")
NOTICE_STATUSES = ("waiting", "due", "sent")


class Answer(db.Model):
    __tablename__ = "answer"
    __table_args__ = (
        CheckConstraint("kind IN ('reply', 'commitment')", name="kind"),
        CheckConstraint("language IN ('ky', 'ru')", name="language"),
        CheckConstraint("promise_status IS NULL OR promise_status IN ('promised', 'done')", name="promise_status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_code: Mapped[SoateCode] = mapped_column(ForeignKey("municipality.code"), index=True)
    # The subject the comments are about; a commitment may name a criterion instead.
    subject_code: Mapped[CatalogCode | None] = mapped_column(ForeignKey("subject.code"))
    criterion_code: Mapped[CatalogCode | None] = mapped_column(ForeignKey("criterion.code"))
    period: Mapped[int] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(String(12), default="reply")
    language: Mapped[str] = mapped_column(String(2))
    body: Mapped[LongText]
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    promise: Mapped[LongText | None]
    promise_due: Mapped[dt.date | None] = mapped_column(Date)
    promise_status: Mapped[str | None] = mapped_column(String(10))
    done_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    done_note: Mapped[LongText | None]
    done_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    photo_name: Mapped[Name | None]
    photo_type: Mapped[str | None] = mapped_column(String(100))
    photo_sha256: Mapped[str | None] = mapped_column(String(64))
    photo_data: Mapped[bytes | None] = mapped_column(LargeBinary)
    # The last edit (the public page says "edited" with this date; the audit keeps every version).
    edited_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    edited_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    withdrawn_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    comments: Mapped[list["AnsweredComment"]] = relationship(cascade="all, delete-orphan",
                                                             order_by="AnsweredComment.rating_id")
    judgements: Mapped[list["Judgement"]] = relationship(cascade="all, delete-orphan", order_by="Judgement.id")


class AnsweredComment(db.Model):
    """A comment (its rating) answered by an answer; a comment is answered once."""

    __tablename__ = "answered_comment"

    rating_id: Mapped[int] = mapped_column(ForeignKey("rating.id", ondelete="CASCADE"), primary_key=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("answer.id", ondelete="CASCADE"), index=True)
    # When the comment was published (approved): the answer deadline counts from here.
    published_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class Judgement(db.Model):
    """The comment's author's judgement: was the answer helpful; once the promised date has passed,
    was the promised action done."""

    __tablename__ = "answer_judgement"
    __table_args__ = (UniqueConstraint("answer_id", "respondent_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("answer.id", ondelete="CASCADE"), index=True)
    rating_id: Mapped[int] = mapped_column(ForeignKey("rating.id", ondelete="CASCADE"))
    respondent_id: Mapped[int] = mapped_column(ForeignKey("respondent.id"), index=True)
    helpful: Mapped[bool | None]
    done: Mapped[bool | None]
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SmsNotice(db.Model):
    """An outbox row: one SMS to a verified phone when its comment is answered.

    The number is kept encrypted (Fernet, key derived from the personal-data key) only until the
    message is handed to the gateway, then erased; a failed hand-over stays ``due`` and is retried
    (feedback.delivery) until ``next_attempt_at``-spaced attempts run out: then ``failed``.
    """

    __tablename__ = "sms_notice"
    __table_args__ = (CheckConstraint("status IN ('waiting', 'due', 'sent', 'failed')", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rating_id: Mapped[int] = mapped_column(ForeignKey("rating.id", ondelete="CASCADE"), unique=True)
    respondent_id: Mapped[int] = mapped_column(ForeignKey("respondent.id"), index=True)
    phone_cipher: Mapped[str | None] = mapped_column(String(500))
    language: Mapped[str] = mapped_column(String(2), default="ky")
    status: Mapped[str] = mapped_column(String(10), default="waiting", index=True)
    answer_id: Mapped[int | None] = mapped_column(ForeignKey("answer.id", ondelete="SET NULL"))
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(200))
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))  # None: at once
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

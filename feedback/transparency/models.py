"""Budget transparency assessment: monitor × municipality × period, one answer per checklist item.

Workflow: draft → submitted (the LSG may reply per item until ``reply_due``; a second monitor
reviews item by item) → reviewed → final (by the first monitor). Disagreements of the review stay
stored and shown. Every change is written to the audit log.

Residents' budget priorities: respondent × municipality × period, up to three local issues in order.
"""
import datetime as dt

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import CatalogCode, LongText, Name, SoateCode, db, utcnow

ASSESSMENT_STATUSES = ("draft", "submitted", "reviewed", "final")
ANSWERS = ("yes", "partial", "no", "na")
PRIORITY_STATUSES = ("accepted", "quarantined")


class TransparencyAssessment(db.Model):
    __tablename__ = "transparency_assessment"
    __table_args__ = (
        UniqueConstraint("municipality_code", "period"),
        CheckConstraint("status IN ('draft', 'submitted', 'reviewed', 'final')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_code: Mapped[SoateCode] = mapped_column(ForeignKey("municipality.code"), index=True)
    period: Mapped[int] = mapped_column(ForeignKey("period.year"), index=True)
    monitor_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    status: Mapped[str] = mapped_column(String(10), default="draft")
    review_note: Mapped[LongText] = mapped_column(default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    reply_due: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    finalised_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    answers: Mapped[list["TransparencyAnswer"]] = relationship(cascade="all, delete-orphan",
                                                                order_by="TransparencyAnswer.item_code")
    evidence: Mapped[list["TransparencyEvidence"]] = relationship(cascade="all, delete-orphan",
                                                                   order_by="TransparencyEvidence.id")
    replies: Mapped[list["TransparencyReply"]] = relationship(cascade="all, delete-orphan",
                                                               order_by="TransparencyReply.id")


class TransparencyAnswer(db.Model):
    """The monitor's answer to one item, and the peer reviewer's answer when they disagree."""

    __tablename__ = "transparency_answer"
    __table_args__ = (
        CheckConstraint("answer IS NULL OR answer IN ('yes', 'partial', 'no', 'na')", name="answer"),
        CheckConstraint("review_answer IS NULL OR review_answer IN ('yes', 'partial', 'no', 'na')",
                        name="review_answer"),
    )

    assessment_id: Mapped[int] = mapped_column(ForeignKey("transparency_assessment.id", ondelete="CASCADE"),
                                                primary_key=True)
    item_code: Mapped[CatalogCode] = mapped_column(ForeignKey("transparency_item.code"), primary_key=True)
    answer: Mapped[str | None] = mapped_column(String(10))
    note: Mapped[LongText] = mapped_column(default="")
    # Peer review: agrees (True), disagrees (False, with the reviewer's own answer), not yet (None).
    review_agrees: Mapped[bool | None]
    review_answer: Mapped[str | None] = mapped_column(String(10))
    review_note: Mapped[LongText] = mapped_column(default="")

    @property
    def disagreement(self) -> bool:
        return self.review_agrees is False


class TransparencyReply(db.Model):
    """The municipality's reply to one item (right of reply)."""

    __tablename__ = "transparency_reply"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("transparency_assessment.id", ondelete="CASCADE"),
                                               index=True)
    item_code: Mapped[CatalogCode] = mapped_column(ForeignKey("transparency_item.code"))
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    body: Mapped[LongText]
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class TransparencyEvidence(db.Model):
    """A link, photo or document for one item, by the monitor or (with a reply) by the LSG."""

    __tablename__ = "transparency_evidence"
    __table_args__ = (CheckConstraint("party IN ('monitor', 'lsg')", name="party"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("transparency_assessment.id", ondelete="CASCADE"),
                                               index=True)
    item_code: Mapped[CatalogCode] = mapped_column(ForeignKey("transparency_item.code"))
    party: Mapped[str] = mapped_column(String(10))
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    url: Mapped[str | None] = mapped_column(String(500))
    filename: Mapped[Name | None]
    content_type: Mapped[str | None] = mapped_column(String(100))
    size: Mapped[int | None]
    sha256: Mapped[str | None] = mapped_column(String(64))
    # Deferred: scorecards list evidence on every view; the bytes are read only for a download.
    data: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class BudgetPriority(db.Model):
    """A resident's choice of up to three local issues next year's budget should fund first."""

    __tablename__ = "budget_priority"
    __table_args__ = (
        UniqueConstraint("respondent_id", "municipality_code", "period"),
        CheckConstraint("status IN ('accepted', 'quarantined')", name="status"),
        Index("ix_budget_priority_scope", "municipality_code", "period", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    respondent_id: Mapped[int] = mapped_column(ForeignKey("respondent.id"), index=True)
    municipality_code: Mapped[SoateCode] = mapped_column(ForeignKey("municipality.code"))
    period: Mapped[int]
    first_code: Mapped[CatalogCode] = mapped_column(ForeignKey("subject.code"))
    second_code: Mapped[CatalogCode | None] = mapped_column(ForeignKey("subject.code"))
    third_code: Mapped[CatalogCode | None] = mapped_column(ForeignKey("subject.code"))
    status: Mapped[str] = mapped_column(String(12), default="accepted")
    quarantine_rule: Mapped[str | None] = mapped_column(String(30))
    address_hash: Mapped[str] = mapped_column(String(64), default="")
    source: Mapped[str] = mapped_column(String(10), default="web")
    replacements: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)

    @property
    def codes(self) -> list[str]:
        return [c for c in (self.first_code, self.second_code, self.third_code) if c]

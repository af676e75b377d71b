"""State evaluation of delegated powers: evaluator × municipality × delegated power × period.

Workflow: draft → submitted → (the LSG answers or contests) → final. The evaluator may revise a
submitted evaluation before finalising it. Every change is written to the audit log.
"""
import datetime as dt

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import CatalogCode, LongText, Name, SoateCode, db, utcnow

EVALUATION_STATUSES = ("draft", "submitted", "contested", "final")
CONTEST_OUTCOMES = ("accepted", "rejected")
ANSWERS = ("yes", "partial", "no")


class StateEvaluation(db.Model):
    __tablename__ = "state_evaluation"
    __table_args__ = (
        UniqueConstraint("municipality_code", "subject_code", "period"),
        CheckConstraint("status IN ('draft', 'submitted', 'contested', 'final')", name="status"),
        CheckConstraint("contest_outcome IS NULL OR contest_outcome IN ('accepted', 'rejected')",
                        name="contest_outcome"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_code: Mapped[SoateCode] = mapped_column(ForeignKey("municipality.code"), index=True)
    subject_code: Mapped[CatalogCode] = mapped_column(ForeignKey("subject.code"))
    period: Mapped[int] = mapped_column(ForeignKey("period.year"), index=True)
    agency_code: Mapped[CatalogCode] = mapped_column(ForeignKey("agency.code"), index=True)
    evaluator_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    status: Mapped[str] = mapped_column(String(10), default="draft")
    comment: Mapped[LongText] = mapped_column(default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    finalised_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # When the LSG contested it: did the evaluator accept the contest when finalising?
    contest_outcome: Mapped[str | None] = mapped_column(String(10))

    scores: Mapped[list["IndicatorScore"]] = relationship(cascade="all, delete-orphan", order_by="IndicatorScore.indicator_code")
    responses: Mapped[list["LsgResponse"]] = relationship(cascade="all, delete-orphan", order_by="LsgResponse.created_at")
    evidence: Mapped[list["Evidence"]] = relationship(cascade="all, delete-orphan", order_by="Evidence.id")


class IndicatorScore(db.Model):
    """One state indicator's score: 1–5 (``score``) or yes/partial/no (``answer``), as its scale says."""

    __tablename__ = "indicator_score"
    __table_args__ = (
        CheckConstraint("score IS NULL OR score BETWEEN 1 AND 5", name="score"),
        CheckConstraint("answer IS NULL OR answer IN ('yes', 'partial', 'no')", name="answer"),
    )

    evaluation_id: Mapped[int] = mapped_column(ForeignKey("state_evaluation.id", ondelete="CASCADE"), primary_key=True)
    indicator_code: Mapped[CatalogCode] = mapped_column(ForeignKey("state_indicator.code"), primary_key=True)
    score: Mapped[int | None]
    answer: Mapped[str | None] = mapped_column(String(10))
    comment: Mapped[LongText] = mapped_column(default="")


class Evidence(db.Model):
    """A link or an uploaded document (size- and type-checked) supporting an evaluation."""

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("state_evaluation.id", ondelete="CASCADE"), index=True)
    # Evidence attached to a message of the contest thread (either side), not to the scores.
    response_id: Mapped[int | None] = mapped_column(ForeignKey("lsg_response.id", ondelete="CASCADE"), index=True)
    url: Mapped[str | None] = mapped_column(String(500))
    filename: Mapped[Name | None]
    content_type: Mapped[str | None] = mapped_column(String(100))
    size: Mapped[int | None]
    sha256: Mapped[str | None] = mapped_column(String(64))
    data: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class LsgResponse(db.Model):
    """A message of the thread about a submitted evaluation: the municipality's answer or contest,
    or the evaluator's reply (kind ``reply``); each may carry evidence."""

    __tablename__ = "lsg_response"
    __table_args__ = (CheckConstraint("kind IN ('answer', 'contest', 'reply')", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("state_evaluation.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    kind: Mapped[str] = mapped_column(String(10))
    body: Mapped[LongText]
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    evidence: Mapped[list["Evidence"]] = relationship(order_by="Evidence.id", viewonly=True)

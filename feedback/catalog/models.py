"""The catalog: what can be rated and how — subjects, citizen criteria, state indicators, the budget
transparency checklist and the agencies that oversee delegated powers. Bilingual, editable by admins.
"""

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import CatalogCode, LongText, Name, db

SUBJECT_KINDS = ("local_issue", "municipal_service", "delegated_power")
# applies_to of subjects: which kind of municipality has them.
APPLIES_TO = ("aiyl_okmotu", "city", "both")
MUNICIPALITY_KIND_APPLIES = {"aiyl_aimak": ("aiyl_okmotu", "both"), "city": ("city", "both")}


class Bilingual:
    name_ky: Mapped[Name]
    name_ru: Mapped[Name]

    def name(self, lang: str) -> str:
        return self.name_ky if lang == "ky" else self.name_ru


class Agency(Bilingual, db.Model):
    __tablename__ = "agency"

    code: Mapped[CatalogCode] = mapped_column(primary_key=True)
    short_ky: Mapped[Name]
    short_ru: Mapped[Name]

    def short(self, lang: str) -> str:
        return self.short_ky if lang == "ky" else self.short_ru


class Subject(Bilingual, db.Model):
    """Something rated: a local issue or municipal service (by residents) or a delegated power (by the state)."""

    __tablename__ = "subject"
    __table_args__ = (
        CheckConstraint("kind IN ('local_issue', 'municipal_service', 'delegated_power')", name="kind"),
        CheckConstraint("applies_to IN ('aiyl_okmotu', 'city', 'both')", name="applies_to"),
    )

    code: Mapped[CatalogCode] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    description_ky: Mapped[LongText]
    description_ru: Mapped[LongText]
    applies_to: Mapped[str] = mapped_column(String(20), default="both")
    agency_code: Mapped[CatalogCode | None] = mapped_column(ForeignKey("agency.code"))
    legal_basis: Mapped[LongText] = mapped_column(default="")
    confidence: Mapped[str] = mapped_column(String(20), default="")
    position: Mapped[int] = mapped_column(default=0)
    retired: Mapped[bool] = mapped_column(default=False)

    agency: Mapped[Agency | None] = relationship()

    def description(self, lang: str) -> str:
        return self.description_ky if lang == "ky" else self.description_ru

    @property
    def rated_by_citizens(self) -> bool:
        return self.kind != "delegated_power"


class Criterion(Bilingual, db.Model):
    """A citizen criterion with an anchored description of each level 1 (worst) to 5 (best)."""

    __tablename__ = "criterion"
    __table_args__ = (
        CheckConstraint("applies_to IN ('local_issue', 'municipal_service', 'both')", name="applies_to"),
    )

    code: Mapped[CatalogCode] = mapped_column(primary_key=True)
    question_ky: Mapped[LongText]
    question_ru: Mapped[LongText]
    applies_to: Mapped[str] = mapped_column(String(20), default="both")
    position: Mapped[int] = mapped_column(default=0)

    levels: Mapped[list["CriterionLevel"]] = relationship(
        order_by="CriterionLevel.level", cascade="all, delete-orphan"
    )

    def question(self, lang: str) -> str:
        return self.question_ky if lang == "ky" else self.question_ru

    def applies_to_subject(self, subject: Subject) -> bool:
        return self.applies_to in ("both", subject.kind)


class CriterionLevel(db.Model):
    __tablename__ = "criterion_level"
    __table_args__ = (CheckConstraint("level BETWEEN 1 AND 5", name="level"),)

    criterion_code: Mapped[CatalogCode] = mapped_column(ForeignKey("criterion.code"), primary_key=True)
    level: Mapped[int] = mapped_column(primary_key=True)
    description_ky: Mapped[LongText]
    description_ru: Mapped[LongText]

    def description(self, lang: str) -> str:
        return self.description_ky if lang == "ky" else self.description_ru


class StateIndicator(Bilingual, db.Model):
    """What a ministry evaluator scores for each delegated power. Some rate the state itself."""

    __tablename__ = "state_indicator"
    __table_args__ = (CheckConstraint("scale IN ('1-5', 'yes/partial/no')", name="scale"),)

    code: Mapped[CatalogCode] = mapped_column(primary_key=True)
    description_ky: Mapped[LongText]
    description_ru: Mapped[LongText]
    scale: Mapped[str] = mapped_column(String(20))
    # Methodology: indicators of funding and methodological support are the state's part; they are
    # shown but never lower the LSG's own score.
    counts_toward_lsg_score: Mapped[bool]
    position: Mapped[int] = mapped_column(default=0)

    def description(self, lang: str) -> str:
        return self.description_ky if lang == "ky" else self.description_ru


class TransparencyItem(Bilingual, db.Model):
    """One question of the municipal budget transparency checklist."""

    __tablename__ = "transparency_item"

    code: Mapped[CatalogCode] = mapped_column(primary_key=True)
    area: Mapped[int]
    evidence_hint_ky: Mapped[LongText]
    evidence_hint_ru: Mapped[LongText]
    answer_scale: Mapped[str] = mapped_column(String(100))
    weight: Mapped[int]
    position: Mapped[int] = mapped_column(default=0)


class Period(db.Model):
    """An evaluation period (a calendar year by default). Closed periods are read-only."""

    __tablename__ = "period"
    __table_args__ = (CheckConstraint("status IN ('open', 'closed')", name="status"),)

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    status: Mapped[str] = mapped_column(String(10), default="open")

    @property
    def is_open(self) -> bool:
        return self.status == "open"

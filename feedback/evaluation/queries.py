"""The read side of state evaluation: the evaluator's worklist, a municipality's evaluations, and the
state-track numbers of the scorecard."""
from dataclasses import dataclass

from sqlalchemy import and_, case, false, func, or_, select
from sqlalchemy.orm import aliased, selectinload

from ..accounts.models import User
from ..catalog.models import Period, StateIndicator, Subject
from ..db import db
from ..territory.models import District, Municipality, Region
from .models import IndicatorScore, StateEvaluation

WORKLIST_STATUSES = ("not_started", "draft", "submitted", "contested", "final")
ANSWER_VALUES = {"yes": 100.0, "partial": 50.0, "no": 0.0}


def open_period() -> int | None:
    """The latest open period, the one evaluators work in."""
    return db.session.scalar(select(func.max(Period.year)).where(Period.status == "open"))


def latest_period() -> int | None:
    return db.session.scalar(select(func.max(Period.year)))


def period_is_open(year: int) -> bool:
    period = db.session.get(Period, year)
    return period is not None and period.is_open


@dataclass
class WorkItem:
    municipality_code: str
    municipality_ky: str
    municipality_ru: str
    region_ky: str
    region_ru: str
    district_ky: str | None
    district_ru: str | None
    subject_code: str
    subject_ky: str
    subject_ru: str
    evaluation_id: int | None
    status: str
    scored: int

    def municipality(self, lang: str) -> str:
        return self.municipality_ky if lang == "ky" else self.municipality_ru

    def place(self, lang: str) -> str:
        district = self.district_ky if lang == "ky" else self.district_ru
        region = self.region_ky if lang == "ky" else self.region_ru
        return f"{district}, {region}" if district and district != self.municipality(lang) else region

    def subject(self, lang: str) -> str:
        return self.subject_ky if lang == "ky" else self.subject_ru


@dataclass
class Worklist:
    items: list[WorkItem]
    total: int
    page: int
    pages: int
    counts: dict  # status -> how many, over the whole filtered list (before the status filter)
    indicators: int


def _agency_powers(agency_code: str | None):
    return (Subject.kind == "delegated_power", Subject.agency_code == agency_code, Subject.retired.is_(False))


def worklist(user: User, period: int, *, region: str | None = None, district: str | None = None,
             status: str | None = None, page: int = 1, per_page: int = 50, name: str | None = None) -> Worklist:
    """Every current municipality × every delegated power of the evaluator's agency that applies to
    its kind (within the evaluator's region), with the evaluation's status and how many indicators
    are scored. One query for the page, one for the counts."""
    scored = (select(IndicatorScore.evaluation_id, func.count().label("n"))
              .where(or_(IndicatorScore.score.is_not(None), IndicatorScore.answer.is_not(None)))
              .group_by(IndicatorScore.evaluation_id).subquery())
    applies = or_(Subject.applies_to == "both",
                  and_(Municipality.kind == "aiyl_aimak", Subject.applies_to == "aiyl_okmotu"),
                  and_(Municipality.kind == "city", Subject.applies_to == "city"))
    status_col = func.coalesce(StateEvaluation.status, "not_started")
    conditions = [Municipality.valid_to.is_(None), *_agency_powers(user.agency_code), applies]
    scope_region = user.region_code or region
    if user.region_code and region and region != user.region_code:
        conditions.append(false())
    if scope_region:
        conditions.append(Municipality.region_code == scope_region)
    if district:
        conditions.append(Municipality.district_code == district)
    if name:
        from ..territory.search import municipality_filter  # the registry's name search (folded, both languages)

        conditions.append(municipality_filter(name))

    def base(*columns):
        return (select(*columns).select_from(Municipality).join(Subject, applies)
                .outerjoin(StateEvaluation, and_(StateEvaluation.municipality_code == Municipality.code,
                                                 StateEvaluation.subject_code == Subject.code,
                                                 StateEvaluation.period == period))
                .where(*conditions))

    counts = {key: 0 for key in WORKLIST_STATUSES}
    for key, n in db.session.execute(base(status_col, func.count()).group_by(status_col)):
        counts[key] = n
    total = sum(counts.values()) if status not in WORKLIST_STATUSES else counts[status]
    per_page = max(1, per_page)
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)

    district_alias = aliased(District)
    query = (base(Municipality.code, Municipality.name_ky, Municipality.name_ru, Region.name_ky, Region.name_ru,
                  district_alias.name_ky, district_alias.name_ru, Subject.code, Subject.name_ky, Subject.name_ru,
                  StateEvaluation.id, status_col, func.coalesce(scored.c.n, 0))
             .join(Region, Region.code == Municipality.region_code)
             .outerjoin(district_alias, district_alias.code == Municipality.district_code)
             .outerjoin(scored, scored.c.evaluation_id == StateEvaluation.id)
             .order_by(Region.name_ru, district_alias.name_ru, Municipality.name_ru, Subject.position, Subject.code)
             .limit(per_page).offset((page - 1) * per_page))
    if status in WORKLIST_STATUSES:
        query = query.where(status_col == status)
    items = [WorkItem(*row) for row in db.session.execute(query)]
    n_indicators = db.session.scalar(select(func.count()).select_from(StateIndicator))
    return Worklist(items=items, total=total, page=page, pages=pages, counts=counts, indicators=n_indicators)


def evaluation(evaluation_id: int) -> StateEvaluation | None:
    return db.session.scalar(select(StateEvaluation).where(StateEvaluation.id == evaluation_id).options(
        selectinload(StateEvaluation.scores), selectinload(StateEvaluation.evidence),
        selectinload(StateEvaluation.responses)))


def for_municipality(municipality_code: str, statuses=("submitted", "contested", "final")) -> list[StateEvaluation]:
    """The evaluations the municipality's staff see: submitted and final ones, newest period first."""
    return list(db.session.scalars(
        select(StateEvaluation).where(StateEvaluation.municipality_code == municipality_code,
                                      StateEvaluation.status.in_(statuses))
        .options(selectinload(StateEvaluation.responses))
        .order_by(StateEvaluation.period.desc(), StateEvaluation.subject_code)))


def indicator_value(score: int | None, answer: str | None) -> float | None:
    """One indicator on the 0–100 scale: level L of 1–5 → (L − 1) × 25; yes/partial/no → 100/50/0."""
    if score is not None:
        return (score - 1) * 25.0
    if answer is not None:
        return ANSWER_VALUES[answer]
    return None


def state_track(municipality_code: str, period: int) -> list[dict]:
    """Per delegated power with a FINAL evaluation in the period: the LSG's score (mean of the
    indicators that count toward the LSG) and the state-support score (mean of those that rate the
    state, which never lower the LSG's score), both 0–100, or None when nothing was scored."""
    value = case((IndicatorScore.score.is_not(None), (IndicatorScore.score - 1) * 25.0),
                 (IndicatorScore.answer == "yes", 100.0), (IndicatorScore.answer == "partial", 50.0),
                 (IndicatorScore.answer == "no", 0.0))
    rows = db.session.execute(
        select(StateEvaluation.subject_code, StateEvaluation.agency_code, StateIndicator.counts_toward_lsg_score,
               func.avg(value), func.count(value))
        .join(IndicatorScore, IndicatorScore.evaluation_id == StateEvaluation.id)
        .join(StateIndicator, StateIndicator.code == IndicatorScore.indicator_code)
        .where(StateEvaluation.municipality_code == municipality_code, StateEvaluation.period == period,
               StateEvaluation.status == "final")
        .group_by(StateEvaluation.subject_code, StateEvaluation.agency_code, StateIndicator.counts_toward_lsg_score)
        .order_by(StateEvaluation.subject_code))
    result: dict[str, dict] = {}
    for subject_code, agency_code, counts, mean, n in rows:
        entry = result.setdefault(subject_code, {"subject": subject_code, "agency": agency_code, "lsg_score": None,
                                                 "lsg_n": 0, "state_support_score": None, "state_support_n": 0})
        key = "lsg" if counts else "state_support"
        entry[f"{key}_score"] = round(float(mean), 1) if mean is not None else None
        entry[f"{key}_n"] = n
    return list(result.values())

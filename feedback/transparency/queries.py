"""The read side of budget transparency: the monitor's list, the scorecard track (index, items,
answers, evidence, replies, review), the indices of a whole period, and residents' priorities."""
from collections import Counter
from dataclasses import dataclass

from flask import url_for
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..accounts.models import User, UserMunicipality
from ..db import db
from ..territory.models import Municipality
from . import scoring
from .models import BudgetPriority, TransparencyAnswer, TransparencyAssessment
from .services import items, reply_open, scoring_items

NOT_ASSESSED = "not_assessed"
NOT_ENOUGH = "not_enough_ratings"


def assessment(assessment_id: int) -> TransparencyAssessment | None:
    return db.session.scalar(select(TransparencyAssessment).where(TransparencyAssessment.id == assessment_id).options(
        selectinload(TransparencyAssessment.answers), selectinload(TransparencyAssessment.evidence),
        selectinload(TransparencyAssessment.replies)))


@dataclass
class MonitorRow:
    municipality: Municipality
    assessment: TransparencyAssessment | None
    due: str | None  # what the monitor should do next: fill, review, finalise, or None (waiting/done)

    @property
    def status(self) -> str:
        return self.assessment.status if self.assessment else "not_started"


def monitor_scope(user: User) -> list[Municipality]:
    query = select(Municipality).where(Municipality.valid_to.is_(None))
    if user.region_code:
        query = query.where(Municipality.region_code == user.region_code)
    else:
        query = query.where(Municipality.code.in_(select(UserMunicipality.municipality_code)
                                                  .where(UserMunicipality.user_id == user.id)))
    return list(db.session.scalars(query.order_by(Municipality.name_ru)))


def monitor_home(user: User, period: int) -> list[MonitorRow]:
    """The monitor's municipalities with the status of this period's assessment and what is due;
    rows with something due first."""
    municipalities = monitor_scope(user)
    assessments = {a.municipality_code: a for a in db.session.scalars(select(TransparencyAssessment).where(
        TransparencyAssessment.period == period,
        TransparencyAssessment.municipality_code.in_([m.code for m in municipalities])))}
    rows = []
    for m in municipalities:
        a = assessments.get(m.code)
        due = None
        if a is None or (a.status == "draft" and a.monitor_id == user.id):
            due = "fill"
        elif a.status == "submitted" and a.monitor_id != user.id:
            due = "review"
        elif a.status == "reviewed" and a.monitor_id == user.id:
            due = "finalise"
        rows.append(MonitorRow(m, a, due))
    order = {"finalise": 0, "review": 1, "fill": 2, None: 3}
    rows.sort(key=lambda r: (order[r.due], r.assessment is None))
    return rows


def _evidence_json(evidence) -> dict:
    return {"id": evidence.id, "party": evidence.party, "url": evidence.url, "filename": evidence.filename,
            "content_type": evidence.content_type, "size": evidence.size, "sha256": evidence.sha256,
            "download": None if evidence.url else url_for("transparency_files.evidence", evidence_id=evidence.id)}


def budget_transparency_track(municipality, period: int, params=None) -> dict:
    """The budget transparency track of one municipality and period: from a FINAL assessment only;
    otherwise index None with reason "not assessed" (never 0). The index and the area scores are at
    full precision, like ``final_indices`` (the comparisons' and composites' input): they are rounded
    once, where they are published (the scorecard JSON, the page). ``params`` is kept for the track
    interface; the index has no sample and so no sampling interval."""
    code = municipality.code if hasattr(municipality, "code") else municipality
    found = db.session.scalar(select(TransparencyAssessment).where(
        TransparencyAssessment.municipality_code == code, TransparencyAssessment.period == period,
        TransparencyAssessment.status == "final").options(
        selectinload(TransparencyAssessment.answers), selectinload(TransparencyAssessment.evidence),
        selectinload(TransparencyAssessment.replies)))
    if found is None:
        return {"index": None, "interval": None, "n": 0, "reason": NOT_ASSESSED, "areas": [], "items": []}
    catalog = items()
    answers = {a.item_code: a for a in found.answers}
    result = scoring.score(scoring_items(catalog), {c: a.answer for c, a in answers.items()})
    out_items = []
    for item in catalog:
        a = answers.get(item.code)
        out_items.append({
            "code": item.code, "area": item.area, "weight": item.weight,
            "answer": a.answer if a else None, "note": a.note if a else "",
            "review": {"agrees": a.review_agrees, "answer": a.review_answer, "note": a.review_note} if a else None,
            "evidence": [_evidence_json(e) for e in found.evidence if e.item_code == item.code and e.party == "monitor"],
            "replies": [{"body": r.body, "at": r.created_at.isoformat(),
                         "evidence": [_evidence_json(e) for e in found.evidence
                                      if e.item_code == item.code and e.party == "lsg"]}
                        for r in found.replies if r.item_code == item.code],
        })
    applicable = sum(1 for a in answers.values() if a.answer in scoring.POINTS)
    return {"index": result.index, "interval": None, "n": applicable,
            "reason": None if result.index is not None else result.reason,
            "assessment_id": found.id, "finalised_at": found.finalised_at.isoformat() if found.finalised_at else None,
            "areas": [{"area": area, "score": value} for area, value in result.areas.items()],
            "disagreements": sum(1 for a in answers.values() if a.disagreement),
            "review_note": found.review_note, "items": out_items}


def final_indices(period: int) -> dict[str, float]:
    """municipality → index of its final assessment in the period (for comparisons)."""
    catalog = scoring_items(items())
    by_assessment: dict[int, dict] = {}
    codes = {}
    rows = db.session.execute(select(TransparencyAssessment.id, TransparencyAssessment.municipality_code).where(
        TransparencyAssessment.period == period, TransparencyAssessment.status == "final"))
    for assessment_id, code in rows:
        codes[assessment_id] = code
        by_assessment[assessment_id] = {}
    if not codes:
        return {}
    for assessment_id, item_code, answer in db.session.execute(select(
            TransparencyAnswer.assessment_id, TransparencyAnswer.item_code, TransparencyAnswer.answer)
            .where(TransparencyAnswer.assessment_id.in_(list(codes)))):
        by_assessment[assessment_id][item_code] = answer
    out = {}
    for assessment_id, answers in by_assessment.items():
        result = scoring.score(catalog, answers)
        if result.index is not None:
            out[codes[assessment_id]] = result.index
    return out


def for_staff(municipality_code: str) -> list[TransparencyAssessment]:
    """Submitted, reviewed and final assessments of the municipality, newest first."""
    return list(db.session.scalars(select(TransparencyAssessment).where(
        TransparencyAssessment.municipality_code == municipality_code, TransparencyAssessment.status != "draft")
        .options(selectinload(TransparencyAssessment.answers), selectinload(TransparencyAssessment.replies))
        .order_by(TransparencyAssessment.period.desc())))


def findings(assessment_row: TransparencyAssessment) -> list[str]:
    """Item codes to act on: answered no or partly."""
    return [a.item_code for a in assessment_row.answers if a.answer in ("no", "partial")]


def is_reply_open(assessment_row: TransparencyAssessment) -> bool:
    return reply_open(assessment_row)


def priorities(municipality_code: str, period: int, min_sample: int, z: float) -> dict:
    """Residents' budget priorities: per local issue, how many named it among their (up to) three
    and how many put it first, with Wilson intervals on both shares of the accepted submissions.
    Below ``min_sample`` accepted submissions nothing but the counts of submissions is shown."""
    return priorities_many([municipality_code], period, min_sample, z)[municipality_code]


def priorities_many(codes: list[str] | None, period: int, min_sample: int, z: float) -> dict[str, dict]:
    """``priorities`` of several municipalities at once (all with a submission in the period when
    ``codes`` is None), from four grouped queries: the page, the API and the exports share it."""
    scope = (BudgetPriority.period == period,) if codes is None else (
        BudgetPriority.period == period, BudgetPriority.municipality_code.in_(list(codes)))
    counts: dict[str, dict] = {code: {} for code in (codes or [])}
    for code, status, k in db.session.execute(select(BudgetPriority.municipality_code, BudgetPriority.status,
                                                     func.count()).where(*scope)
                                              .group_by(BudgetPriority.municipality_code, BudgetPriority.status)):
        counts.setdefault(code, {})[status] = k
    named: dict[str, Counter] = {code: Counter() for code in counts}
    first: dict[str, Counter] = {code: Counter() for code in counts}
    for column in (BudgetPriority.first_code, BudgetPriority.second_code, BudgetPriority.third_code):
        for code, subject, k in db.session.execute(
                select(BudgetPriority.municipality_code, column, func.count())
                .where(*scope, BudgetPriority.status == "accepted", column.is_not(None))
                .group_by(BudgetPriority.municipality_code, column)):
            named[code][subject] += k
            if column is BudgetPriority.first_code:
                first[code][subject] += k
    out = {}
    for code, by_status in counts.items():
        n, n_quarantined = by_status.get("accepted", 0), by_status.get("quarantined", 0)
        base = {"period": period, "n": n, "n_quarantined": n_quarantined, "min_sample": min_sample}
        if n < min_sample:
            out[code] = {**base, "published": False, "reason": NOT_ENOUGH, "items": []}
            continue
        result = []
        for subject, k in named[code].items():
            f = first[code][subject]
            result.append({"code": subject, "n_named": k, "share": k / n, "interval": scoring.wilson(k, n, z),
                           "n_first": f, "first_share": f / n, "first_interval": scoring.wilson(f, n, z)})
        result.sort(key=lambda r: (-r["n_named"], -r["n_first"], r["code"]))
        out[code] = {**base, "published": True, "reason": None, "items": result}
    return out


def priorities_json(summary: dict) -> dict:
    def r(x):
        return None if x is None else round(x, 3)

    return {**summary, "items": [{**i, "share": r(i["share"]), "first_share": r(i["first_share"]),
                                  "interval": [r(v) for v in i["interval"]],
                                  "first_interval": [r(v) for v in i["first_interval"]]} for i in summary["items"]]}


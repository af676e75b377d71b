"""Demonstration data of budget transparency: final assessments (with LSG replies and peer reviews)
for a good share of municipalities, and residents' budget priorities for the current period.

Marked like the rest of the demo data (feedback/scorecards/demo.py): demo users' e-mails are
``demo-…@demo.invalid`` (inactive, no usable password) and priorities belong to ``demo-`` respondents.
``clear()`` runs first in the demo clear, before those users and respondents are removed.
"""
import datetime as dt
import itertools
import random

import numpy as np
from sqlalchemy import delete, insert, select

from .. import bulk
from ..accounts.models import User
from ..catalog.models import MUNICIPALITY_KIND_APPLIES, Subject, TransparencyItem
from ..db import db
from ..ratings.models import Rating, Respondent
from ..ratings.services import current_period
from ..territory.models import Municipality
from .models import BudgetPriority, TransparencyAnswer, TransparencyAssessment, TransparencyEvidence, TransparencyReply

PREFIX, EMAIL_DOMAIN = "demo-", "@demo.invalid"
UNUSABLE_PASSWORD = "!demo-account-without-a-password"
REPLIES = ("Бюджет айылдык кеңештин сайтына жана жарыя тактасына илинди; шилтемени тиркедик.",
           "Отчёт опубликован на стенде в айыл окмоту, фото прилагаем.",
           "Угуулар кийинки жылы айылдарда өткөрүлөт.")


def _demo_users():
    return select(User.id).where(User.email.like(PREFIX + "%" + EMAIL_DOMAIN)).scalar_subquery()


def clear() -> dict:
    demo_assessments = select(TransparencyAssessment.id).where(
        TransparencyAssessment.monitor_id.in_(_demo_users())).scalar_subquery()
    counts = {}
    for model in (TransparencyEvidence, TransparencyReply, TransparencyAnswer):
        db.session.execute(delete(model).where(model.assessment_id.in_(demo_assessments)))
    counts["transparency_assessments"] = db.session.execute(
        delete(TransparencyAssessment).where(TransparencyAssessment.monitor_id.in_(_demo_users()))).rowcount
    demo_respondents = select(Respondent.id).where(Respondent.token.like(PREFIX + "%")).scalar_subquery()
    counts["budget_priorities"] = db.session.execute(
        delete(BudgetPriority).where(BudgetPriority.respondent_id.in_(demo_respondents))).rowcount
    return counts


def _user(email: str, role: str, **fields) -> User:
    user = User(email=f"{PREFIX}{email}{EMAIL_DOMAIN}", role=role, password_hash=UNUSABLE_PASSWORD, active=False,
                name="Demo", **fields)
    db.session.add(user)
    return user


def seed(periods: list[int], seed_value: int = 11, progress=None) -> dict:
    """Final assessments for about 60 % of municipalities per period (``seed_assessments``), and
    priorities (``Priorities``) for the demo ratings already stored. Flushes. ``progress(done,
    total)``: how far the priorities' stream is."""
    counts, priorities = seed_assessments(periods, seed_value)
    return {**counts, "budget_priorities": _seed_priorities(priorities, progress)}


def seed_assessments(periods: list[int], seed_value: int = 11, after=()) -> "tuple[dict, Priorities]":
    """Final assessments for about 60 % of municipalities per period, with answers, evidence, LSG
    replies and peer reviews. Flushes. Returns their count and the current period's ``Priorities``
    (its writer after ``after``: the respondents' writer when they are being generated)."""
    rng = random.Random(seed_value)
    municipalities = list(db.session.scalars(select(Municipality).where(Municipality.valid_to.is_(None))
                                             .order_by(Municipality.code)))
    items = list(db.session.scalars(select(TransparencyItem).order_by(TransparencyItem.code)))
    monitor, reviewer = _user("monitor-a", "monitor"), _user("monitor-b", "monitor")
    db.session.flush()
    quality = {m.code: rng.gauss(0, 1) for m in municipalities}
    assessments = []
    for year in periods:
        when = dt.datetime(year, 11, 1, tzinfo=dt.UTC) if year != current_period() else dt.datetime.now(dt.UTC)
        for m in municipalities:
            if rng.random() < 0.6:
                assessments.append({"municipality_code": m.code, "period": year, "monitor_id": monitor.id,
                                    "reviewer_id": reviewer.id, "status": "final", "review_note": "",
                                    "created_at": when, "updated_at": when, "submitted_at": when,
                                    "reply_due": when, "reviewed_at": when, "finalised_at": when})
    if assessments:
        db.session.execute(insert(TransparencyAssessment), assessments)
    rows = db.session.execute(select(TransparencyAssessment.id, TransparencyAssessment.municipality_code).where(
        TransparencyAssessment.monitor_id == monitor.id)).all()
    answers, replies, evidence, staff = [], [], [], {}
    for assessment_id, code in rows:
        for item in items:
            x = quality[code] + rng.gauss(0, 1)
            answer = "yes" if x > 0.6 else "partial" if x > -0.4 else "no"
            if item.answer_scale.endswith("n/a=excluded") and rng.random() < 0.3:
                answer = "na"
            disagrees = rng.random() < 0.05
            other = rng.choice([a for a in ("yes", "partial", "no") if a != answer]) if disagrees else None
            answers.append({"assessment_id": assessment_id, "item_code": item.code, "answer": answer, "note": "",
                            "review_agrees": not disagrees, "review_answer": other, "review_note": ""})
            if answer != "no":
                evidence.append({"assessment_id": assessment_id, "item_code": item.code, "party": "monitor",
                                 "author_id": monitor.id, "url": f"https://budget.okmot.kg/demo/{code}/{item.code}"})
            if answer != "yes" and rng.random() < 0.15:
                if code not in staff:
                    staff[code] = _user(f"lsg-{code}", "lsg_staff", municipality_code=code)
                replies.append((assessment_id, item.code, code, rng.choice(REPLIES)))
    db.session.flush()
    db.session.execute(insert(TransparencyAnswer), answers)
    if evidence:
        db.session.execute(insert(TransparencyEvidence), evidence)
    if replies:
        db.session.execute(insert(TransparencyReply), [
            {"assessment_id": a, "item_code": i, "author_id": staff[c].id, "body": b} for a, i, c, b in replies])
    return {"transparency_assessments": len(rows)}, Priorities(rng, municipalities, seed_value, after)


class Priorities:
    """Budget priorities of the current period's demo respondents, drawn for a municipality's
    respondents at a time (``draw``) and written in bulk; ``close()`` writes what is left and returns
    the count. Rules: half of the respondents name priorities; each picks 1, 2, 3 or 3 times (uniformly)
    a local issue that applies to the municipality's kind, with replacement, in proportion to the
    issue's popularity (~ LogNormal(0, 0.9), one per issue); a repeated pick is dropped."""

    def __init__(self, rng: random.Random, municipalities, seed_value: int, after=()):
        self.year, self.now = current_period(), dt.datetime.now(dt.UTC)
        self.kinds = {m.code: m.kind for m in municipalities}
        issues = list(db.session.scalars(select(Subject).where(Subject.kind == "local_issue",
                                                               Subject.retired.is_(False)).order_by(Subject.code)))
        weight = {s.code: rng.lognormvariate(0, 0.9) for s in issues}
        self.allowed = {kind: [s.code for s in issues if s.applies_to in applies]
                        for kind, applies in MUNICIPALITY_KIND_APPLIES.items()}
        self.cumulative = {kind: np.cumsum([weight[code] for code in codes]) for kind, codes in self.allowed.items()}
        self.nrng = np.random.default_rng(seed_value)
        self.written = bulk.Writer(BudgetPriority, ("respondent_id", "municipality_code", "period", "first_code",
                                                    "second_code", "third_code", "status", "address_hash", "source",
                                                    "replacements", "created_at", "updated_at"), after=after)

    def draw(self, respondent_ids, code: str) -> None:
        """Priorities of respondents (ids, each once) who rated in municipality ``code`` this period."""
        kind = self.kinds.get(code)
        codes = self.allowed.get(kind)
        if not codes:
            return
        ids = np.asarray(respondent_ids, dtype=np.int64)
        chosen = ids[self.nrng.random(len(ids)) < 0.5]
        n = len(chosen)
        if not n:
            return
        cumulative = self.cumulative[kind]
        picks = np.minimum(np.searchsorted(cumulative, self.nrng.random((n, 3)) * cumulative[-1], side="right"),
                           len(codes) - 1)
        many = np.array((1, 2, 3, 3))[self.nrng.integers(0, 4, n)]
        picks[np.arange(3)[None, :] >= many[:, None]] = -1  # picks beyond the respondent's count
        picks[picks[:, 1] == picks[:, 0], 1] = -1  # a repeated pick is dropped
        picks[(picks[:, 2] == picks[:, 0]) | (picks[:, 2] == picks[:, 1]), 2] = -1
        gap = picks[:, 1] < 0  # the third moves up into a dropped second
        picks[gap, 1], picks[gap, 2] = picks[gap, 2], -1
        names = (*codes, None)  # -1: none
        year, now = self.year, self.now
        self.written.extend((respondent_id, code, year, names[a], names[b], names[c], "accepted", "", "web", 0, now, now)
                            for respondent_id, (a, b, c) in zip(chosen.tolist(), picks.tolist(), strict=True))

    def close(self) -> int:
        self.written.close()
        return self.written.count


def _seed_priorities(priorities: Priorities, progress=None) -> int:
    """About half of the current period's demo respondents (their ratings already stored) name up to
    three local issues."""
    year = priorities.year
    # Streamed in the ratings' order (the same seed gives the same priorities; a demo respondent's
    # ratings are one after another, in one municipality), a municipality's respondents at a time.
    rows = db.session.connection().execute(select(Rating.respondent_id, Rating.municipality_code, Rating.id).join(
        Respondent, Respondent.id == Rating.respondent_id).where(
        Rating.period == year, Respondent.token.like(PREFIX + "%"))
        .order_by(Rating.id).execution_options(yield_per=20_000))
    report = bulk.stream_progress(Rating, progress)
    for code, group in itertools.groupby(rows, key=lambda row: row[1]):
        group = list(group)
        report(group[-1][2])
        priorities.draw(list(dict.fromkeys(row[0] for row in group)), code)
    return priorities.close()

"""Demonstration data: a synthetic but realistic two-year history for every municipality.

Marked by a naming convention, since the schema has no marker table: respondents' tokens start with
``demo-``, demo evaluators' e-mails are ``demo-…@demo.invalid`` (an unusable password: not an
argon2 hash, so no password ever verifies), ratings' client_id start with ``demo-``. While any of it
is present every page shows a "demonstration data" banner. ``flask demo clear`` removes all of it.

Seeding writes raw rows in bulk (no signals) and then rebuilds the aggregates from the ratings.
"""
import datetime as dt
import functools
import random

import numpy as np
from flask import g
from sqlalchemy import delete, select

from .. import bulk, cache
from ..accounts.models import User, UserSession
from ..catalog.models import MUNICIPALITY_KIND_APPLIES, Agency, Criterion, Period, StateIndicator, Subject
from ..db import db
from ..evaluation.models import IndicatorScore, StateEvaluation
from ..ratings.abuse import setting
from ..ratings.models import AGE_BANDS, SEXES, CriterionScore, Rating, Respondent
from ..ratings.services import BISHKEK, current_period
from ..territory.models import Municipality
from . import aggregates, methodology

PREFIX = "demo-"
EMAIL_DOMAIN = "@demo.invalid"
UNUSABLE_PASSWORD = "!demo-account-without-a-password"

COMMENTS = (
    "Вода бывает только утром, летом по несколько дней нет совсем.",
    "Спасибо за новое освещение на нашей улице.",
    "Мусор вывозят редко, люди жгут его во дворах.",
    "Справку выдали быстро, сотрудники были вежливы.",
    "Дорогу обещали отремонтировать ещё в прошлом году.",
    "Суу эртең менен гана келет, жайында бир нече күн такыр болбойт.",
    "Көчөбүзгө жаңы жарык орнотулганы үчүн рахмат.",
    "Таштанды сейрек чыгарылат, эл короосунда өрттөйт.",
    "Маалымкатты тез беришти, кызматкерлер сылык мамиле кылышты.",
    "Жолду былтыр эле оңдойбуз дешкен, дагы деле оңдолгон жок.",
)
# How each criterion tends to differ from the overall score (waiting time and information lag behind).
CRITERION_OFFSET = {"CR-RESULT": 0.0, "CR-TIME": -0.5, "CR-ACCESS": -0.1, "CR-STAFF": 0.2, "CR-HONESTY": -0.3,
                    "CR-INFO": -0.6}


def demo_present() -> bool:
    """Is there demonstration data? (Demo evaluators are always created with it; the user table is small.)"""
    stmt = select(User.id).where(User.email.like(PREFIX + "%" + EMAIL_DOMAIN)).limit(1)
    return db.session.scalar(stmt) is not None


def demo_context() -> dict:
    if "_demo_present" not in g:
        try:
            g._demo_present = cache.cached(("demo_present",), demo_present)
        except Exception:  # noqa: BLE001 - a page must render even when the database is down (error pages)
            db.session.rollback()
            g._demo_present = False
    return {"demo_data_present": g._demo_present}


def _clip(x: float) -> int:
    return min(5, max(1, int(round(x))))


def _expected_ratings(rng: random.Random, municipality: Municipality) -> int:
    """Ratings per year: by population where it is known, otherwise by kind; a tenth are small ones."""
    if municipality.population:
        base = municipality.population / 150
    elif municipality.kind == "city":
        base = 300
    else:
        base = 70
    if rng.random() < 0.1:
        return rng.randint(2, 14)  # small municipalities with few ratings
    return max(3, int(base * rng.lognormvariate(0, 0.5)))


def seed(years: int = 2, seed_value: int = 2025, scale: float = 1.0, progress=None) -> dict:
    """Generate the demo history; returns counts. Flushes; the caller commits.

    Rows are generated one municipality and year at a time and written in batches (``bulk.Writer``:
    PostgreSQL's COPY, executemany elsewhere) with ids assigned here, so memory stays bounded at any
    ``scale`` (1.0 is about 83 thousand ratings); the tables' indexes are built once at the end
    (``bulk.loading``). ``progress(phase, done, total)`` tells how far each phase is (the ratings:
    after each municipality and year).
    """
    with bulk.tuned():
        return _seed(years, seed_value, scale, progress or (lambda phase, done, total: None))


def _seed(years, seed_value, scale, progress) -> dict:
    from ..channels.demo import channel  # noqa: I001
    from ..compare.demo import first_and_last_villages, village

    progress("clear", 0, 1)
    clear(rebuild=False)  # the aggregates are rebuilt once, at the end
    cache.bump()  # the banner
    rng = random.Random(seed_value)
    this_year = current_period()
    periods = [this_year - years + 1 + i for i in range(years)]
    for year in periods:
        if db.session.get(Period, year) is None:
            db.session.add(Period(year=year, status="open" if year == this_year else "closed"))
    if db.session.get(methodology.Methodology, 1) is None:
        methodology.publish()
    db.session.flush()

    municipalities = list(db.session.scalars(select(Municipality).where(Municipality.valid_to.is_(None))
                                             .order_by(Municipality.code)))
    subjects = list(db.session.scalars(select(Subject).where(Subject.kind != "delegated_power",
                                                             Subject.retired.is_(False)).order_by(Subject.code)))
    criteria = list(db.session.scalars(select(Criterion).order_by(Criterion.position)))
    popularity = {s.code: rng.lognormvariate(0, 1.1) for s in subjects}  # a few subjects draw most ratings
    subject_effect = {s.code: rng.gauss(0, 0.35) for s in subjects}
    criteria_of = {s.code: [(c.code, CRITERION_OFFSET.get(c.code, 0)) for c in criteria if c.applies_to_subject(s)]
                   for s in subjects}
    region_effect = {}
    quality = {m.code: rng.gauss(0, 0.45) for m in municipalities}
    change = {m.code: rng.gauss(0.08, 0.25) for m in municipalities}
    villages = first_and_last_villages()

    # Manipulation attempts, each of a kind a rule catches.
    attempts = {m.code: rule for m, rule in zip(rng.sample(municipalities, 10),
                                                  ["too_fast"] * 4 + ["honeypot"] * 3 + ["burst_address"] * 3, strict=False)}
    burst_limit = int(setting("ABUSE_BURST_PER_ADDRESS"))

    from ..answers import demo as answers_demo  # noqa: I001
    from ..answers.models import Answer, AnsweredComment, Judgement
    from ..transparency import demo as transparency_demo
    from ..transparency.models import BudgetPriority

    respondents = bulk.Writer(Respondent, ("id", "token", "phone_hash", "phone_verified_at", "created_at"))
    ratings = bulk.Writer(Rating, RATING_COLUMNS, after=respondents)
    scores = bulk.Writer(CriterionScore, ("rating_id", "criterion_code", "score"), after=ratings)
    next_respondent, next_rating = bulk.next_id(Respondent), bulk.next_id(Rating)
    counter = quarantined = 0
    total_steps, steps = len(periods) * len(municipalities), 0
    nrng = np.random.default_rng(seed_value)  # the ratings' own draws, a unit at a time (vectorised)
    # Every table the ratings' pass fills: the answers and priorities are drawn with the ratings (no
    # second pass over them), so their tables load alike.
    with bulk.loading(Respondent, Rating, CriterionScore, BudgetPriority, Answer, AnsweredComment, Judgement,
                      progress=lambda done, total: progress("indexes", done, total)):
        progress("transparency", 0, 1)
        transparency, priorities = transparency_demo.seed_assessments(periods, after=(respondents,))
        answers = answers_demo.Drafter(seed_value, after=(respondents, ratings))
        progress("ratings", 0, total_steps)
        for year in periods:
            start = dt.datetime(year, 1, 1, tzinfo=BISHKEK)
            end = min(dt.datetime(year, 12, 31, 23, tzinfo=BISHKEK), dt.datetime.now(BISHKEK) - dt.timedelta(hours=1))
            span = max(1.0, (end - start).total_seconds())
            for m in municipalities:
                code = m.code
                region_effect.setdefault(m.region_code, rng.gauss(0, 0.2))
                applicable = [s.code for s in subjects if s.applies_to in MUNICIPALITY_KIND_APPLIES[m.kind]]
                weights = [popularity[s] for s in applicable]
                total = max(1, int(_expected_ratings(rng, m) * scale))
                level = 3.1 + quality[code] + region_effect[m.region_code] + (change[code] if year == this_year else 0)
                first_last = villages.get(code)
                unit = _unit(nrng, total, [subject_effect[s] for s in applicable], weights, level, span)
                counter, next_respondent, next_rating = _write_unit(
                    nrng, unit, year, code, start, applicable, criteria_of, first_last, counter, next_respondent, next_rating,
                    respondents, ratings, scores, answers if answers.unit(code) else None,
                    priorities if year == this_year else None)
                rule = attempts.get(code)
                if rule and year == this_year:
                    # One device or address pushing a single subject to 5 within minutes.
                    subject_code = max(applicable, key=lambda s: popularity[s])
                    when = end - dt.timedelta(days=3)
                    size = {"too_fast": 30, "honeypot": 15, "burst_address": burst_limit + 25}[rule]
                    priorities.draw(range(next_respondent, next_respondent + size), code)
                    for i in range(size):
                        counter += 1
                        respondent_id, next_respondent = next_respondent, next_respondent + 1
                        respondents.add((respondent_id, f"{PREFIX}{year}-{counter}", None, None, when))
                        caught = rule != "burst_address" or i >= burst_limit
                        quarantined += caught
                        at = when + dt.timedelta(seconds=20 * i)
                        rating_id, next_rating = next_rating, next_rating + 1
                        ratings.add((rating_id, respondent_id, code, subject_code, year, 5, None, None, "", None, None,
                                     "quarantined" if caught else "accepted", rule if caught else None, False, "web",
                                     f"{PREFIX}{year}-{counter}-{subject_code}",
                                     f"{PREFIX}{code}" if rule == "burst_address" else "", 0, at, at,
                                     channel(rating_id, False), village(rating_id, first_last), None))
                steps += 1
                progress("ratings", steps, total_steps)
        for writer in (respondents, ratings, scores):
            writer.close()
        transparency["budget_priorities"] = priorities.close()
        answered = answers.close()
        bulk.fix_sequences(Respondent, Rating)
        progress("evaluations", 0, 1)
        evaluations = _seed_evaluations(rng, municipalities, periods, quality)
    # in SQL: no aggregate row through this process
    aggregates.rebuild_aggregates(report=False, progress=lambda done, total: progress("aggregates", done, total))
    return {"respondents": respondents.count, "ratings": ratings.count, "criterion_scores": scores.count,
            "quarantined": quarantined, "evaluations": evaluations, "periods": periods, **transparency,
            **{key: value for key, value in answered.items() if key != "comments"}, "published_comments": answered["comments"]}


SEXES_DRAWN, AGE_BANDS_DRAWN, SOURCES = (*SEXES, None), (*AGE_BANDS[1:], None), ("web", "web", "api")
RATING_COLUMNS = ("id", "respondent_id", "municipality_code", "subject_code", "period", "overall", "comment",
                  "comment_status", "comment_flags", "sex", "age_band", "status", "quarantine_rule", "verified", "source",
                  "client_id", "address_hash", "replacements", "created_at", "updated_at", "channel", "village_code",
                  "comment_moderated_at")
RESPONDENTS_AT_ONCE = 20_000  # a large unit's respondents are drawn in blocks (bounded memory)


def _unit(nrng: np.random.Generator, total: int, effects: list[float], weights: list[float], level: float,
          span: float):
    """The draws of one municipality and year (``total`` ratings), as arrays, in blocks of respondents.

    Each respondent rates ``1 + ⌊Exp(1.2)⌋`` subjects (at most all that apply, the last one only what
    is left of ``total``), chosen without replacement in proportion to their popularity, in the
    subjects' order; 22 % have a verified phone. Each rating: a time in the year; a
    level (the place, the subject, the person: N(0, 0.55)) and an overall score around it (N(0, 0.7),
    rounded, 1–5); 5 % have a comment (4 in 5 approved); sex, age band and source uniform; 45 % also
    score the subject's criteria, each criterion skipped with 35 %, unknown with 12 %, otherwise its
    offset from the level plus N(0, 0.8)."""
    weights = np.asarray(weights)
    k = np.minimum(len(weights), 1 + np.floor(nrng.exponential(1 / 1.2, total)).astype(np.int64))
    ends = np.cumsum(k)
    people = int(np.searchsorted(ends, total)) + 1  # the first respondent who reaches the total
    k = k[:people]
    k[-1] -= ends[people - 1] - total
    for first in range(0, people, RESPONDENTS_AT_ONCE):
        block = k[first:first + RESPONDENTS_AT_ONCE]
        # Weighted sampling without replacement (Efraimidis–Spirakis): the k largest u^(1/w), as
        # log(u)/w (no underflow for rare subjects).
        keys = np.log(nrng.random((len(block), len(weights)))) / weights
        ranks = np.empty_like(keys, dtype=np.int64)
        rows = np.arange(len(block))[:, None]
        ranks[rows, np.argsort(-keys, axis=1)] = np.arange(len(weights))
        person, subject = np.nonzero(ranks < block[:, None])  # each person's subjects in the subjects' order
        n = len(person)
        base = level + np.asarray(effects)[subject] + nrng.normal(0, 0.55, n)
        yield {
            "last": first + RESPONDENTS_AT_ONCE >= people,
            "people": len(block), "verified": nrng.random(len(block)) < 0.22, "person": person, "subject": subject,
            "seconds": nrng.random(n) * span, "base": base,
            "overall": np.clip(np.rint(base + nrng.normal(0, 0.7, n)), 1, 5).astype(np.int64),
            "comment": np.where(nrng.random(n) < 0.05, nrng.integers(0, len(COMMENTS), n), -1),
            "approved": nrng.random(n) < 0.8, "sex": nrng.integers(0, 3, n), "age_band": nrng.integers(0, 5, n),
            "source": nrng.integers(0, 3, n), "scored": nrng.random(n) < 0.45,
        }


def _criterion_scores(nrng: np.random.Generator, draws: dict, criteria: list[list[tuple[str, float]]]):
    """(rating index, criterion code, score or None) for the ratings that score criteria."""
    scored = np.nonzero(draws["scored"])[0]
    counts = np.array([len(c) for c in criteria], dtype=np.int64)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    codes = [code for c in criteria for code, _ in c]
    offsets = np.array([offset for c in criteria for _, offset in c] or [0.0])
    per_rating = counts[draws["subject"][scored]]
    rating = np.repeat(scored, per_rating)
    position = np.arange(len(rating)) - np.repeat(np.cumsum(per_rating) - per_rating, per_rating)
    criterion = starts[draws["subject"][rating]] + position
    m = len(rating)
    kept = nrng.random(m) >= 0.35
    unknown = nrng.random(m) < 0.12
    values = np.clip(np.rint(draws["base"][rating] + offsets[criterion] + nrng.normal(0, 0.8, m)), 1, 5).astype(np.int64)
    for i, c, unknown_, value in zip(rating[kept].tolist(), criterion[kept].tolist(), unknown[kept].tolist(),
                                     values[kept].tolist(), strict=True):
        yield i, codes[c], None if unknown_ else value


class _Lazy:
    """A sequence whose items are made only when indexed (a unit's ratings without a comment, of
    which the answers take a few)."""

    def __init__(self, indexes, make):
        self.indexes, self.make = indexes, make

    def __len__(self):
        return len(self.indexes)

    def __getitem__(self, i):
        return self.make(int(self.indexes[i]))


def _answerable(first, applicable, subjects, respondent_ids, persons, utc, times, i):
    """The ``i``-th rating of a block as ``answers.demo.Drafter.draft`` takes it."""
    return first + i, applicable[subjects[i]], respondent_ids[persons[i]], utc + times[i]


def _write_unit(nrng, unit, year, code, start, applicable, criteria_of, first_last, counter, next_respondent, next_rating,
                respondents, ratings, scores, answers=None, priorities=None):
    """Rows of one municipality and year from ``_unit``'s draws; returns the counters moved on.
    ``answers`` (a ``answers.demo.Drafter`` whose unit has begun, or None: the municipality does not
    answer) publishes comments and answers them, ``priorities`` (``transparency.demo.Priorities``, the
    current period) draws the respondents' budget priorities."""
    from ..channels.demo import channel  # noqa: I001
    from ..compare.demo import village

    utc = start.astimezone(dt.UTC)
    criteria = [criteria_of[s] for s in applicable]
    for draws in unit:
        people, verified = draws["people"], draws["verified"].tolist()
        respondent_ids = range(next_respondent, next_respondent + people)
        counters = range(counter + 1, counter + 1 + people)
        respondents.extend((respondent_id, f"{PREFIX}{year}-{c}", f"{PREFIX}{c}" if v else None,
                            start if v else None, start)
                           for respondent_id, c, v in zip(respondent_ids, counters, verified, strict=True))
        n = len(draws["person"])
        times = (draws["seconds"] * 1e6).astype("timedelta64[us]").tolist()
        persons, subjects, comments = draws["person"].tolist(), draws["subject"].tolist(), draws["comment"]
        published = {}
        if answers is not None:
            rating = functools.partial(_answerable, next_rating, applicable, subjects, respondent_ids, persons, utc, times)
            approved = [rating(i) for i in np.nonzero((comments >= 0) & draws["approved"])[0].tolist()]
            published = answers.draft(year, code, approved, _Lazy(np.nonzero(comments < 0)[0], rating), draws["last"])
        rows = []
        for i, (person, subject, seconds, overall, comment, approved, sex, age_band, source) in enumerate(zip(
                persons, subjects, times, draws["overall"].tolist(), comments.tolist(), draws["approved"].tolist(),
                draws["sex"].tolist(), draws["age_band"].tolist(), draws["source"].tolist(), strict=True)):
            rating_id, subject_code, v, when = next_rating + i, applicable[subject], verified[person], utc + seconds
            text = COMMENTS[comment] if comment >= 0 else None
            status = ("approved" if approved else "pending") if comment >= 0 else None
            moderated = None
            if rating_id in published:  # a published comment (one the answers gave, if it had none)
                moderated, given = published[rating_id]
                if given is not None:
                    text, status = given, "approved"
            rows.append((rating_id, respondent_ids[person], code, subject_code, year, overall, text, status, "",
                         SEXES_DRAWN[sex], AGE_BANDS_DRAWN[age_band], "accepted", None, v, SOURCES[source],
                         f"{PREFIX}{year}-{counters[person]}-{subject_code}", "", 0, when, when,
                         channel(rating_id, v), village(rating_id, first_last), moderated))
        ratings.extend(rows)
        if answers is not None:
            answers.release()
        if priorities is not None:
            priorities.draw(respondent_ids, code)
        scores.extend((next_rating + i, criterion, value) for i, criterion, value in _criterion_scores(
            nrng, draws, criteria))
        counter, next_respondent, next_rating = counter + people, next_respondent + people, next_rating + n
    return counter, next_respondent, next_rating


def _seed_evaluations(rng: random.Random, municipalities, periods, quality) -> int:
    agencies = list(db.session.scalars(select(Agency).order_by(Agency.code)))
    users = {}
    for agency in agencies:
        user = User(email=f"{PREFIX}evaluator-{agency.code.lower()}{EMAIL_DOMAIN}", role="state_evaluator",
                    name=f"Demo {agency.short_ru}", password_hash=UNUSABLE_PASSWORD, agency_code=agency.code,
                    active=False)
        db.session.add(user)
        users[agency.code] = user
    db.session.flush()
    powers = list(db.session.scalars(select(Subject).where(Subject.kind == "delegated_power", Subject.retired.is_(False),
                                                           Subject.agency_code.is_not(None)).order_by(Subject.code)))
    indicators = list(db.session.scalars(select(StateIndicator).order_by(StateIndicator.position)))
    existing = set(db.session.execute(select(StateEvaluation.municipality_code, StateEvaluation.subject_code,
                                             StateEvaluation.period)).all())
    funding = {p.code: rng.uniform(-0.8, 0.6) for p in powers}  # some powers come without money
    written = bulk.Writer(StateEvaluation, ("id", "municipality_code", "subject_code", "period", "agency_code",
                                            "evaluator_id", "status", "comment", "created_at", "updated_at",
                                            "submitted_at", "finalised_at"))
    evaluation_id, planned = bulk.next_id(StateEvaluation), {}
    for year in periods:
        coverage = 0.7 if year != periods[-1] else 0.45
        now = dt.datetime(year, 12, 1, tzinfo=dt.UTC) if year != periods[-1] else dt.datetime.now(dt.UTC)
        for m in municipalities:
            for power in powers:
                if (m.code, power.code, year) in existing or rng.random() > coverage:
                    continue
                written.add((evaluation_id, m.code, power.code, year, power.agency_code, users[power.agency_code].id,
                             "final", "", now, now, now, now))
                planned[evaluation_id] = (power.code, quality[m.code] + funding[power.code] * 0.5)
                evaluation_id += 1
    written.close()
    bulk.fix_sequences(StateEvaluation)
    scores = bulk.Writer(IndicatorScore, ("evaluation_id", "indicator_code", "score", "answer", "comment"))
    for evaluation_id, (power, level) in planned.items():
        for indicator in indicators:
            score = answer = None
            if indicator.scale == "1-5":
                score = _clip(3.3 + level + rng.gauss(0, 0.7))
            else:
                x = funding[power] + rng.gauss(0, 0.6)
                answer = "yes" if x > 0.4 else "partial" if x > -0.4 else "no"
            scores.add((evaluation_id, indicator.code, score, answer, ""))
    scores.close()
    return written.count


def clear(rebuild: bool = True) -> dict:
    """Remove every demonstration row and (``rebuild``) rebuild the aggregates. Flushes; the caller
    commits."""
    from ..transparency import demo as transparency_demo; transparency_demo.clear()  # noqa: E702, I001
    demo_users = select(User.id).where(User.email.like(PREFIX + "%" + EMAIL_DOMAIN)).scalar_subquery()
    demo_respondents = select(Respondent.id).where(Respondent.token.like(PREFIX + "%")).scalar_subquery()
    demo_ratings = select(Rating.id).where(Rating.respondent_id.in_(demo_respondents)).scalar_subquery()
    demo_evaluations = select(StateEvaluation.id).where(StateEvaluation.evaluator_id.in_(demo_users)).scalar_subquery()
    counts = {}
    from ..answers import demo as answers_demo; counts["answers"] = answers_demo.clear()  # noqa: E702, I001
    counts["criterion_scores"] = db.session.execute(delete(CriterionScore).where(CriterionScore.rating_id.in_(demo_ratings))).rowcount
    counts["ratings"] = db.session.execute(delete(Rating).where(Rating.respondent_id.in_(demo_respondents))).rowcount
    counts["respondents"] = db.session.execute(delete(Respondent).where(Respondent.token.like(PREFIX + "%"))).rowcount
    db.session.execute(delete(IndicatorScore).where(IndicatorScore.evaluation_id.in_(demo_evaluations)))
    counts["evaluations"] = db.session.execute(delete(StateEvaluation).where(StateEvaluation.evaluator_id.in_(demo_users))).rowcount
    db.session.execute(delete(UserSession).where(UserSession.user_id.in_(demo_users)))
    counts["users"] = db.session.execute(delete(User).where(User.email.like(PREFIX + "%" + EMAIL_DOMAIN))).rowcount
    if rebuild and any(counts.values()):
        aggregates.rebuild_aggregates(report=False)
    cache.bump()  # the banner
    g.pop("_demo_present", None)
    return counts


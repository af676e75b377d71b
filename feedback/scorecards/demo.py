"""Demonstration data: a synthetic but realistic two-year history for every municipality.

Marked by a naming convention, since the schema has no marker table: respondents' tokens start with
``demo-``, demo evaluators' e-mails are ``demo-…@demo.invalid`` (an unusable password: not an
argon2 hash, so no password ever verifies), ratings' client_id start with ``demo-``. While any of it
is present every page shows a "demonstration data" banner. ``flask demo clear`` removes all of it.

Seeding writes raw rows in bulk (no signals) and then rebuilds the aggregates from the ratings.
"""
import datetime as dt
import itertools
import random

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

    respondents = bulk.Writer(Respondent, ("id", "token", "phone_hash", "phone_verified_at", "created_at"))
    ratings = bulk.Writer(Rating, ("id", "respondent_id", "municipality_code", "subject_code", "period", "overall",
                                   "comment", "comment_status", "comment_flags", "sex", "age_band", "status",
                                   "quarantine_rule", "verified", "source", "client_id", "address_hash", "replacements",
                                   "created_at", "updated_at", "channel", "village_code"), after=respondents)
    scores = bulk.Writer(CriterionScore, ("rating_id", "criterion_code", "score"), after=ratings)
    next_respondent, next_rating = bulk.next_id(Respondent), bulk.next_id(Rating)
    counter = quarantined = 0
    total_steps, steps = len(periods) * len(municipalities), 0
    sexes, age_bands, sources = (*SEXES, None), (*AGE_BANDS[1:], None), ("web", "web", "api")
    random_, gauss = rng.random, rng.gauss
    progress("ratings", 0, total_steps)
    with bulk.loading(Respondent, Rating, CriterionScore, progress=lambda done, total: progress("indexes", done, total)):
        for year in periods:
            start = dt.datetime(year, 1, 1, tzinfo=BISHKEK)
            end = min(dt.datetime(year, 12, 31, 23, tzinfo=BISHKEK), dt.datetime.now(BISHKEK) - dt.timedelta(hours=1))
            span = max(1.0, (end - start).total_seconds())
            for m in municipalities:
                code = m.code
                region_effect.setdefault(m.region_code, rng.gauss(0, 0.2))
                applicable = [s.code for s in subjects if s.applies_to in MUNICIPALITY_KIND_APPLIES[m.kind]]
                weights = list(itertools.accumulate(popularity[s] for s in applicable))
                total = max(1, int(_expected_ratings(rng, m) * scale))
                level = 3.1 + quality[code] + region_effect[m.region_code] + (change[code] if year == this_year else 0)
                first_last = villages.get(code)
                made = 0
                while made < total:
                    counter += 1
                    verified = random_() < 0.22
                    respondent_id, next_respondent = next_respondent, next_respondent + 1
                    respondents.add((respondent_id, f"{PREFIX}{year}-{counter}", f"{PREFIX}{counter}" if verified else None,
                                     start if verified else None, start))
                    k = min(len(applicable), total - made, 1 + int(rng.expovariate(1.2)))
                    chosen = set()
                    while len(chosen) < k:
                        chosen.update(rng.choices(applicable, cum_weights=weights, k=k - len(chosen)))
                    for subject_code in sorted(chosen):
                        made += 1
                        when = start + dt.timedelta(seconds=random_() * span)
                        base = level + subject_effect[subject_code] + gauss(0, 0.55)  # the place, the subject, the person
                        overall = _clip(base + gauss(0, 0.7))
                        comment = status = None
                        if random_() < 0.05:
                            comment = COMMENTS[int(random_() * len(COMMENTS))]
                            status = "approved" if random_() < 0.8 else "pending"
                        rating_id, next_rating = next_rating, next_rating + 1
                        ratings.add((rating_id, respondent_id, code, subject_code, year, overall, comment, status, "",
                                     sexes[int(random_() * 3)], age_bands[int(random_() * 5)], "accepted", None,
                                     verified, sources[int(random_() * 3)], f"{PREFIX}{year}-{counter}-{subject_code}",
                                     "", 0, when, when, channel(rating_id, verified), village(rating_id, first_last)))
                        if random_() < 0.45:
                            for criterion_code, offset in criteria_of[subject_code]:
                                if random_() < 0.35:
                                    continue
                                value = None if random_() < 0.12 else _clip(base + offset + gauss(0, 0.8))
                                scores.add((rating_id, criterion_code, value))
                rule = attempts.get(code)
                if rule and year == this_year:
                    # One device or address pushing a single subject to 5 within minutes.
                    subject_code = max(applicable, key=lambda s: popularity[s])
                    when = end - dt.timedelta(days=3)
                    size = {"too_fast": 30, "honeypot": 15, "burst_address": burst_limit + 25}[rule]
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
                                     channel(rating_id, False), village(rating_id, first_last)))
                steps += 1
                progress("ratings", steps, total_steps)
        for writer in (respondents, ratings, scores):
            writer.close()
    bulk.fix_sequences(Respondent, Rating)

    progress("evaluations", 0, 1)
    evaluations = _seed_evaluations(rng, municipalities, periods, quality)
    from ..transparency import demo as transparency_demo  # noqa: I001
    progress("transparency", 0, 1)
    transparency = transparency_demo.seed(periods, progress=lambda done, total: progress("priorities", done, total))
    from ..answers import demo as answers_demo  # noqa: I001
    answers_demo.seed(seed_value, progress=lambda done, total: progress("answers", done, total))
    # in SQL: no aggregate row through this process
    aggregates.rebuild_aggregates(report=False, progress=lambda done, total: progress("aggregates", done, total))
    return {"respondents": respondents.count, "ratings": ratings.count, "criterion_scores": scores.count,
            "quarantined": quarantined, "evaluations": evaluations, "periods": periods, **transparency}


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


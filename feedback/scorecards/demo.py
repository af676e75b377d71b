"""Demonstration data: a synthetic but realistic two-year history for every municipality.

Marked by a naming convention, since the schema has no marker table: respondents' tokens start with
``demo-``, demo evaluators' e-mails are ``demo-…@demo.invalid`` (an unusable password: not an
argon2 hash, so no password ever verifies), ratings' client_id start with ``demo-``. While any of it
is present every page shows a "demonstration data" banner. ``flask demo clear`` removes all of it.

Seeding writes raw rows in bulk (no signals) and then rebuilds the aggregates from the ratings.
"""
import datetime as dt
import random

from flask import g
from sqlalchemy import delete, insert, select

from .. import cache
from ..accounts.models import User, UserSession
from ..catalog.models import MUNICIPALITY_KIND_APPLIES, Agency, Criterion, Period, StateIndicator, Subject
from ..db import db
from ..evaluation.models import IndicatorScore, StateEvaluation
from ..ratings.abuse import setting
from ..ratings.models import AGE_BANDS, SEXES, CriterionScore, Rating, Respondent
from ..ratings.services import BISHKEK, current_period
from ..territory.models import Municipality
from . import methodology, queries

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


def seed(years: int = 2, seed_value: int = 2025, scale: float = 1.0) -> dict:
    """Generate the demo history; returns counts. Flushes; the caller commits."""
    clear()
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
    region_effect = {}
    quality = {m.code: rng.gauss(0, 0.45) for m in municipalities}
    change = {m.code: rng.gauss(0.08, 0.25) for m in municipalities}

    # Manipulation attempts, each of a kind a rule catches.
    attempts = {m.code: rule for m, rule in zip(rng.sample(municipalities, 10),
                                                  ["too_fast"] * 4 + ["honeypot"] * 3 + ["burst_address"] * 3, strict=False)}
    burst_limit = int(setting("ABUSE_BURST_PER_ADDRESS"))

    respondents, ratings, scores = [], [], []
    counter = 0
    for year in periods:
        start = dt.datetime(year, 1, 1, tzinfo=BISHKEK)
        end = min(dt.datetime(year, 12, 31, 23, tzinfo=BISHKEK), dt.datetime.now(BISHKEK) - dt.timedelta(hours=1))
        span = max(1.0, (end - start).total_seconds())
        for m in municipalities:
            region_effect.setdefault(m.region_code, rng.gauss(0, 0.2))
            applicable = [s for s in subjects if s.applies_to in MUNICIPALITY_KIND_APPLIES[m.kind]]
            weights = [popularity[s.code] for s in applicable]
            total = max(1, int(_expected_ratings(rng, m) * scale))
            level = 3.1 + quality[m.code] + region_effect[m.region_code] + (change[m.code] if year == this_year else 0)
            made = 0
            while made < total:
                counter += 1
                token = f"{PREFIX}{year}-{counter}"
                verified = rng.random() < 0.22
                respondents.append({"token": token, "phone_hash": f"{PREFIX}{counter}" if verified else None,
                                    "phone_verified_at": start if verified else None, "created_at": start})
                k = min(len(applicable), total - made, 1 + int(rng.expovariate(1.2)))
                chosen = set()
                while len(chosen) < k:
                    chosen.add(rng.choices(applicable, weights)[0].code)
                for subject_code in sorted(chosen):
                    made += 1
                    when = start + dt.timedelta(seconds=rng.uniform(0, span))
                    person = rng.gauss(0, 0.55)
                    overall = _clip(level + subject_effect[subject_code] + person + rng.gauss(0, 0.7))
                    comment = rng.choice(COMMENTS) if rng.random() < 0.05 else None
                    client_id = f"{PREFIX}{year}-{counter}-{subject_code}"
                    ratings.append({
                        "token": token, "municipality_code": m.code, "subject_code": subject_code, "period": year,
                        "overall": overall, "comment": comment,
                        "comment_status": (("approved" if rng.random() < 0.8 else "pending") if comment else None),
                        "comment_flags": "", "sex": rng.choice((*SEXES, None)), "age_band": rng.choice((*AGE_BANDS[1:], None)),
                        "status": "accepted", "quarantine_rule": None, "verified": verified,
                        "source": rng.choice(("web", "web", "api")), "client_id": client_id,
                        "address_hash": "", "replacements": 0, "created_at": when, "updated_at": when})
                    if rng.random() < 0.45:
                        subject = next(s for s in applicable if s.code == subject_code)
                        for c in criteria:
                            if not c.applies_to_subject(subject) or rng.random() < 0.35:
                                continue
                            value = None if rng.random() < 0.12 else _clip(
                                level + subject_effect[subject_code] + person + CRITERION_OFFSET.get(c.code, 0)
                                + rng.gauss(0, 0.8))
                            scores.append({"client_id": client_id, "criterion_code": c.code, "score": value})
            rule = attempts.get(m.code)
            if rule and year == this_year:
                # One device or address pushing a single subject to 5 within minutes.
                subject_code = max(applicable, key=lambda s: popularity[s.code]).code
                when = end - dt.timedelta(days=3)
                size = {"too_fast": 30, "honeypot": 15, "burst_address": burst_limit + 25}[rule]
                for i in range(size):
                    counter += 1
                    token = f"{PREFIX}{year}-{counter}"
                    respondents.append({"token": token, "phone_hash": None, "phone_verified_at": None,
                                        "created_at": when})
                    caught = rule != "burst_address" or i >= burst_limit
                    ratings.append({
                        "token": token, "municipality_code": m.code, "subject_code": subject_code, "period": year,
                        "overall": 5, "comment": None, "comment_status": None, "comment_flags": "", "sex": None,
                        "age_band": None, "status": "quarantined" if caught else "accepted",
                        "quarantine_rule": rule if caught else None, "verified": False, "source": "web",
                        "client_id": f"{PREFIX}{year}-{counter}-{subject_code}",
                        "address_hash": f"{PREFIX}{m.code}" if rule == "burst_address" else "",
                        "replacements": 0, "created_at": when + dt.timedelta(seconds=20 * i),
                        "updated_at": when + dt.timedelta(seconds=20 * i)})

    _bulk(Respondent, respondents)
    ids = dict(db.session.execute(select(Respondent.token, Respondent.id).where(Respondent.token.like(PREFIX + "%"))).all())
    for row in ratings:
        row["respondent_id"] = ids[row.pop("token")]
    _bulk(Rating, ratings)
    rating_ids = dict(db.session.execute(select(Rating.client_id, Rating.id).where(Rating.client_id.like(PREFIX + "%"))).all())
    for row in scores:
        row["rating_id"] = rating_ids[row.pop("client_id")]
    _bulk(CriterionScore, scores)

    evaluations = _seed_evaluations(rng, municipalities, periods, quality)
    queries.rebuild_aggregates()
    return {"respondents": len(respondents), "ratings": len(ratings), "criterion_scores": len(scores),
            "quarantined": sum(1 for r in ratings if r["status"] == "quarantined"), "evaluations": evaluations,
            "periods": periods}


def _bulk(model, rows: list[dict], chunk: int = 5000) -> None:
    for i in range(0, len(rows), chunk):
        db.session.execute(insert(model), rows[i:i + chunk])


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
    evaluations, planned = [], {}
    for year in periods:
        coverage = 0.7 if year != periods[-1] else 0.45
        now = dt.datetime(year, 12, 1, tzinfo=dt.UTC) if year != periods[-1] else dt.datetime.now(dt.UTC)
        for m in municipalities:
            for power in powers:
                if (m.code, power.code, year) in existing or rng.random() > coverage:
                    continue
                evaluations.append({"municipality_code": m.code, "subject_code": power.code, "period": year,
                                    "agency_code": power.agency_code, "evaluator_id": users[power.agency_code].id,
                                    "status": "final", "comment": "", "created_at": now, "updated_at": now,
                                    "submitted_at": now, "finalised_at": now})
                planned[(m.code, power.code, year)] = quality[m.code] + funding[power.code] * 0.5
    _bulk(StateEvaluation, evaluations)
    ids = {(r[0], r[1], r[2]): r[3] for r in db.session.execute(
        select(StateEvaluation.municipality_code, StateEvaluation.subject_code, StateEvaluation.period,
               StateEvaluation.id).where(StateEvaluation.evaluator_id.in_([u.id for u in users.values()])))}
    scores = []
    for key, level in planned.items():
        power = key[1]
        for indicator in indicators:
            row = {"evaluation_id": ids[key], "indicator_code": indicator.code, "score": None, "answer": None,
                   "comment": ""}
            if indicator.scale == "1-5":
                row["score"] = _clip(3.3 + level + rng.gauss(0, 0.7))
            else:
                x = funding[power] + rng.gauss(0, 0.6)
                row["answer"] = "yes" if x > 0.4 else "partial" if x > -0.4 else "no"
            scores.append(row)
    _bulk(IndicatorScore, scores)
    return len(evaluations)


def clear() -> dict:
    """Remove every demonstration row and rebuild the aggregates. Flushes; the caller commits."""
    demo_users = select(User.id).where(User.email.like(PREFIX + "%" + EMAIL_DOMAIN)).scalar_subquery()
    demo_respondents = select(Respondent.id).where(Respondent.token.like(PREFIX + "%")).scalar_subquery()
    demo_ratings = select(Rating.id).where(Rating.respondent_id.in_(demo_respondents)).scalar_subquery()
    demo_evaluations = select(StateEvaluation.id).where(StateEvaluation.evaluator_id.in_(demo_users)).scalar_subquery()
    counts = {}
    counts["criterion_scores"] = db.session.execute(delete(CriterionScore).where(CriterionScore.rating_id.in_(demo_ratings))).rowcount
    counts["ratings"] = db.session.execute(delete(Rating).where(Rating.respondent_id.in_(demo_respondents))).rowcount
    counts["respondents"] = db.session.execute(delete(Respondent).where(Respondent.token.like(PREFIX + "%"))).rowcount
    db.session.execute(delete(IndicatorScore).where(IndicatorScore.evaluation_id.in_(demo_evaluations)))
    counts["evaluations"] = db.session.execute(delete(StateEvaluation).where(StateEvaluation.evaluator_id.in_(demo_users))).rowcount
    db.session.execute(delete(UserSession).where(UserSession.user_id.in_(demo_users)))
    counts["users"] = db.session.execute(delete(User).where(User.email.like(PREFIX + "%" + EMAIL_DOMAIN))).rowcount
    if any(counts.values()):
        queries.rebuild_aggregates()
    cache.bump()  # the banner
    g.pop("_demo_present", None)
    return counts


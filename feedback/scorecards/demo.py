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
from sqlalchemy import delete, func, insert, select

from .. import cache
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

    Rows are generated one municipality and year at a time and written in batches (PostgreSQL's COPY,
    executemany elsewhere) with ids assigned here, so memory stays bounded at any ``scale`` (1.0 is
    about 83 thousand ratings). ``progress(done, total)`` is called after each municipality and year.
    """
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
    criteria_of = {s.code: [c for c in criteria if c.applies_to_subject(s)] for s in subjects}
    region_effect = {}
    quality = {m.code: rng.gauss(0, 0.45) for m in municipalities}
    change = {m.code: rng.gauss(0.08, 0.25) for m in municipalities}

    # Manipulation attempts, each of a kind a rule catches.
    attempts = {m.code: rule for m, rule in zip(rng.sample(municipalities, 10),
                                                  ["too_fast"] * 4 + ["honeypot"] * 3 + ["burst_address"] * 3, strict=False)}
    burst_limit = int(setting("ABUSE_BURST_PER_ADDRESS"))

    respondents = _Sink(Respondent, ("id", "token", "phone_hash", "phone_verified_at", "created_at"))
    ratings = _Sink(Rating, ("id", "respondent_id", "municipality_code", "subject_code", "period", "overall", "comment",
                             "comment_status", "comment_flags", "sex", "age_band", "status", "quarantine_rule",
                             "verified", "source", "client_id", "address_hash", "replacements", "created_at",
                             "updated_at"), after=respondents)
    scores = _Sink(CriterionScore, ("rating_id", "criterion_code", "score"), after=ratings)
    next_respondent, next_rating = _next_id(Respondent), _next_id(Rating)
    counter = quarantined = 0
    total_steps, steps = len(periods) * len(municipalities), 0
    for year in periods:
        start = dt.datetime(year, 1, 1, tzinfo=BISHKEK)
        end = min(dt.datetime(year, 12, 31, 23, tzinfo=BISHKEK), dt.datetime.now(BISHKEK) - dt.timedelta(hours=1))
        span = max(1.0, (end - start).total_seconds())
        for m in municipalities:
            region_effect.setdefault(m.region_code, rng.gauss(0, 0.2))
            applicable = [s for s in subjects if s.applies_to in MUNICIPALITY_KIND_APPLIES[m.kind]]
            weights = list(itertools.accumulate(popularity[s.code] for s in applicable))
            total = max(1, int(_expected_ratings(rng, m) * scale))
            level = 3.1 + quality[m.code] + region_effect[m.region_code] + (change[m.code] if year == this_year else 0)
            made = 0
            while made < total:
                counter += 1
                token = f"{PREFIX}{year}-{counter}"
                verified = rng.random() < 0.22
                respondent_id, next_respondent = next_respondent, next_respondent + 1
                respondents.add((respondent_id, token, f"{PREFIX}{counter}" if verified else None,
                                 start if verified else None, start))
                k = min(len(applicable), total - made, 1 + int(rng.expovariate(1.2)))
                chosen = set()
                while len(chosen) < k:
                    chosen.add(rng.choices(applicable, cum_weights=weights)[0].code)
                for subject_code in sorted(chosen):
                    made += 1
                    when = start + dt.timedelta(seconds=rng.uniform(0, span))
                    person = rng.gauss(0, 0.55)
                    overall = _clip(level + subject_effect[subject_code] + person + rng.gauss(0, 0.7))
                    comment = rng.choice(COMMENTS) if rng.random() < 0.05 else None
                    status = ("approved" if rng.random() < 0.8 else "pending") if comment else None
                    rating_id, next_rating = next_rating, next_rating + 1
                    ratings.add((rating_id, respondent_id, m.code, subject_code, year, overall, comment, status, "",
                                 rng.choice((*SEXES, None)), rng.choice((*AGE_BANDS[1:], None)), "accepted", None,
                                 verified, rng.choice(("web", "web", "api")), f"{PREFIX}{year}-{counter}-{subject_code}",
                                 "", 0, when, when))
                    if rng.random() < 0.45:
                        for c in criteria_of[subject_code]:
                            if rng.random() < 0.35:
                                continue
                            value = None if rng.random() < 0.12 else _clip(
                                level + subject_effect[subject_code] + person + CRITERION_OFFSET.get(c.code, 0)
                                + rng.gauss(0, 0.8))
                            scores.add((rating_id, c.code, value))
            rule = attempts.get(m.code)
            if rule and year == this_year:
                # One device or address pushing a single subject to 5 within minutes.
                subject_code = max(applicable, key=lambda s: popularity[s.code]).code
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
                    ratings.add((rating_id, respondent_id, m.code, subject_code, year, 5, None, None, "", None, None,
                                 "quarantined" if caught else "accepted", rule if caught else None, False, "web",
                                 f"{PREFIX}{year}-{counter}-{subject_code}",
                                 f"{PREFIX}{m.code}" if rule == "burst_address" else "", 0, at, at))
            steps += 1
            if progress is not None:
                progress(steps, total_steps)
    for sink in (respondents, ratings, scores):
        sink.close()
    _fix_sequences(Respondent, Rating)
    from ..channels.demo import label_channels; label_channels(PREFIX)  # noqa: E702, I001

    evaluations = _seed_evaluations(rng, municipalities, periods, quality)
    from ..transparency import demo as transparency_demo; transparency = transparency_demo.seed(periods)  # noqa: E702, I001
    from ..answers import demo as answers_demo; answers_demo.seed(seed_value)  # noqa: E702, I001
    aggregates.rebuild_aggregates(report=False)  # in SQL: no aggregate row through this process
    return {"respondents": respondents.count, "ratings": ratings.count, "criterion_scores": scores.count,
            "quarantined": quarantined, "evaluations": evaluations, "periods": periods, **transparency}


class _Sink:
    """Rows for one table, written in batches through the session's connection (same transaction):
    COPY on PostgreSQL, executemany elsewhere. Columns not given get their defaults."""

    def __init__(self, model, columns: tuple[str, ...], batch: int = 20_000, after: "_Sink | None" = None):
        self.table, self.columns, self.batch, self.after = model.__table__, columns, batch, after
        self.rows, self.count = [], 0
        self.defaults = {}
        for column in self.table.columns:
            if column.name not in columns and column.default is not None and not column.primary_key:
                arg = column.default.arg
                self.defaults[column.name] = arg(None) if callable(arg) else arg
        self.connection = db.session.connection()
        self.dialect = self.connection.dialect.name

    def add(self, row: tuple) -> None:
        self.rows.append(row)
        if len(self.rows) >= self.batch:
            self.flush()

    def flush(self) -> None:
        if self.after is not None:
            self.after.flush()  # the rows these refer to go first
        if not self.rows:
            return
        names = (*self.columns, *self.defaults)
        extra = tuple(self.defaults.values())
        if self.dialect == "postgresql":
            cursor = self.connection.connection.driver_connection.cursor()
            quoted = ", ".join(f'"{name}"' for name in names)
            with cursor.copy(f'COPY "{self.table.name}" ({quoted}) FROM STDIN') as copy:
                for row in self.rows:
                    copy.write_row(row + extra)
            cursor.close()
        elif self.dialect == "sqlite":
            # Straight to the driver, stored as SQLAlchemy stores them (times as UTC text, booleans as 0/1).
            cursor = self.connection.connection.driver_connection.cursor()
            quoted = ", ".join(f'"{name}"' for name in names)
            marks = ", ".join("?" * len(names))
            statement = f'INSERT INTO "{self.table.name}" ({quoted}) VALUES ({marks})'  # noqa: S608 - names from the models
            cursor.executemany(statement, [tuple(map(_sqlite_value, row + extra)) for row in self.rows])
            cursor.close()
        else:
            self.connection.execute(insert(self.table), [dict(zip(names, row + extra, strict=True)) for row in self.rows])
        self.count += len(self.rows)
        self.rows = []

    def close(self) -> None:
        self.flush()


def _sqlite_value(value):
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return value


def _next_id(model) -> int:
    return (db.session.scalar(select(func.max(model.id))) or 0) + 1


def _fix_sequences(*models) -> None:
    """Ids were assigned here: move PostgreSQL's sequences past them (SQLite continues from the max)."""
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        return
    for model in models:
        table = model.__table__.name
        connection.exec_driver_sql(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT coalesce(max(id), 1) FROM \"{table}\"))")  # noqa: S608 - table names from the models


def _bulk(model, rows: list[dict], chunk: int = 5000) -> None:
    connection = db.session.connection()
    for i in range(0, len(rows), chunk):
        connection.execute(insert(model.__table__), rows[i:i + chunk])


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
    if any(counts.values()):
        aggregates.rebuild_aggregates(report=False)
    cache.bump()  # the banner
    g.pop("_demo_present", None)
    return counts


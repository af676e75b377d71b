"""The rebuild in SQL (``INSERT … SELECT`` from ``scorecards/derive.py``) stores, for every aggregate
table, exactly what the running aggregates kept rating by rating (the signal receiver, Python) and what
``recompute_*`` reads; the differences found in SQL are the ones ``aggregates.differences`` finds."""
from sqlalchemy import delete, insert, select, update

from feedback.db import db
from feedback.ratings.models import AGE_BANDS, SEXES
from feedback.ratings.services import current_period
from feedback.scorecards import aggregates, channel_aggregates
from feedback.scorecards.models import PeriodCounter, RatingAggregate
from tests.scorecards.helpers import AK_BULUN, KARAKOL, rate, respondent, verify

NOW = current_period()
BEFORE = NOW - 1
EVERY = (*aggregates.REBUILT, channel_aggregates.CHANNELS)


def _history() -> None:
    """Several channels, unstated sex and age, verified and quarantined ratings, "don't know" criterion
    scores, known and unknown addresses, respondents rating several subjects, replacements (which leave
    all-zero rows behind in the running aggregates)."""
    a, b, c, d = respondent(), respondent(), respondent(), respondent()
    rate(a, AK_BULUN, "LI-WATER", 4, NOW, {"CR-RESULT": 5, "CR-TIME": None}, channel="web", address="a" * 64,
         sex=SEXES[0], age_band=AGE_BANDS[1])
    rate(a, AK_BULUN, "MS-INFO", 2, NOW, {"CR-STAFF": None, "CR-TIME": 3}, channel="sms", address="a" * 64)
    rate(a, KARAKOL, "LI-WATER", 5, NOW, channel="assisted", sex=SEXES[1])
    rate(b, AK_BULUN, "LI-WATER", 1, NOW, {"CR-RESULT": None}, channel="offline_web", age_band=AGE_BANDS[-1])
    rate(b, AK_BULUN, "MS-INFO", 3, NOW, quarantine=True, address="b" * 64)
    rate(c, AK_BULUN, "LI-WATER", 3, BEFORE, {"CR-TIME": 2}, channel="sms", address="b" * 64, sex=SEXES[0])
    rate(c, AK_BULUN, "LI-WATER", 5, BEFORE, {"CR-TIME": 4}, channel="web", address="c" * 64)  # replaced
    rate(c, KARAKOL, "MS-INFO", 2, BEFORE, quarantine=True)
    rate(d, KARAKOL, "LI-WATER", 4, NOW, {"CR-RESULT": 4}, channel="web", address="c" * 64, age_band=AGE_BANDS[1])
    rate(d, KARAKOL, "LI-WATER", 4, NOW, {"CR-RESULT": 4}, quarantine=True, address="c" * 64)  # into quarantine
    rate(d, KARAKOL, "MS-INFO", 5, NOW, channel="sms")
    verify(a)  # a's ratings of this period become verified
    verify(d)


def _nonzero(rows: dict) -> dict:
    return {key: row for key, row in rows.items() if any(row.values())}


def test_the_sql_rebuild_stores_what_the_running_aggregates_kept(app):
    _history()
    kept = {agg.table.name: _nonzero(agg.stored()) for agg in EVERY}
    assert set(kept) == {"rating_aggregate", "criterion_aggregate", "cluster_aggregate", "address_aggregate",
                         "address_count", "composition_aggregate", "channel_aggregate"}
    assert all(kept.values())
    # The history reaches the cases the SQL must treat as the Python did.
    assert (AK_BULUN, NOW, "sms", "sex", "") in kept["composition_aggregate"]
    assert kept["criterion_aggregate"][AK_BULUN, "LI-WATER", "CR-TIME", NOW]["n_unknown"] == 1
    assert kept["rating_aggregate"][AK_BULUN, "LI-WATER", NOW]["n_verified"] == 1
    assert kept["rating_aggregate"][KARAKOL, "LI-WATER", NOW]["n_quarantined"] == 1
    assert kept["cluster_aggregate"][AK_BULUN, NOW]["n_sq"] == 2 * 2 + 1 * 1  # a: two ratings there, b: one accepted

    # Wrong, missing and stray rows everywhere, and a stored period with no rating left.
    for agg in EVERY:
        column = agg.table.c[agg.columns[0]]
        db.session.execute(update(agg.table).values({column: column + 7}))
    db.session.execute(delete(aggregates.CriterionAggregate))
    db.session.execute(insert(RatingAggregate).values(municipality_code=KARAKOL, subject_code="LI-WATER", period=2019, n=3))
    counters = dict(db.session.execute(select(PeriodCounter.period, PeriodCounter.counter)).all())

    assert aggregates.rebuild_aggregates(report=False) == ([], [], [])

    for agg in EVERY:
        stored = agg.stored()
        assert stored == kept[agg.table.name], agg.table.name  # what the receiver kept, all-zero rows aside
        assert stored == agg.recompute(), agg.table.name
        assert agg.differences() == [], agg.table.name
    after = dict(db.session.execute(select(PeriodCounter.period, PeriodCounter.counter)).all())
    for period in (BEFORE, NOW, 2019):  # present, or emptied by the rebuild: their contexts are stale
        assert after[period] == counters.get(period, 0) + 1


def test_the_differences_found_in_sql_are_those_found_in_python(app):
    _history()
    aggregates.rebuild_aggregates(report=False)
    for agg in EVERY:
        first, *_ = sorted(agg.stored())
        column = agg.table.c[agg.columns[-1]]
        key = [agg.table.c[k] == v for k, v in zip(agg.keys, first, strict=True)]
        db.session.execute(update(agg.table).where(*key).values({column: column + 2}))  # a wrong row
        last = sorted(agg.stored())[-1]
        db.session.execute(delete(agg.table).where(*(agg.table.c[k] == v for k, v in zip(agg.keys, last, strict=True))))
    # a stray row and an all-zero one (absent, as the running aggregates leave them)
    db.session.execute(insert(RatingAggregate).values(municipality_code=KARAKOL, subject_code="MS-INFO", period=2019, n=1))
    db.session.execute(insert(RatingAggregate).values(municipality_code=AK_BULUN, subject_code="MS-INFO", period=2019))
    for agg in EVERY:
        found = agg.differences()
        assert found == aggregates.differences(agg.stored(), agg.recompute()), agg.table.name
        assert len(found) == 2 + (agg is aggregates.RATINGS), agg.table.name
    expected = tuple(agg.differences() for agg in (aggregates.RATINGS, aggregates.CRITERIA, aggregates.ADDRESS_COUNTS))
    assert aggregates.rebuild_aggregates() == expected  # what `flask scorecards rebuild` reports
    assert all(agg.differences() == [] for agg in EVERY)

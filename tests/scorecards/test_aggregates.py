"""The running aggregates (and the distinct-address counts) equal a recomputation from the raw rows
after any sequence of submissions, replacements (also by another channel), quarantines, releases and
phone verifications (hypothesis); so do the per-channel aggregates, which add up to the rating aggregates."""
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from feedback.db import db
from feedback.ratings.models import AGE_BANDS, CHANNELS, SEXES, Rating
from feedback.ratings.services import current_period
from feedback.scorecards import aggregates, channel_aggregates, queries
from tests.scorecards.helpers import AK_BULUN, KARAKOL, rate, release, respondent, verify

MUNICIPALITIES = (AK_BULUN, KARAKOL)
SUBJECTS = ("LI-WATER", "MS-INFO")
PERIODS = (current_period() - 1, current_period())  # phone verification counts for the current period
CRITERIA = ("CR-RESULT", "CR-TIME", "CR-STAFF")
ADDRESSES = ("", "a" * 64, "b" * 64, "c" * 64)  # "": no known address (paper, SMS)

score = st.integers(1, 5)
criteria = st.dictionaries(st.sampled_from(CRITERIA), st.one_of(st.none(), score), max_size=3)
submit = st.tuples(st.just("submit"), st.integers(0, 3), st.sampled_from(MUNICIPALITIES), st.sampled_from(SUBJECTS),
                   score, criteria, st.booleans(), st.sampled_from(PERIODS), st.sampled_from(CHANNELS),
                   st.sampled_from(ADDRESSES), st.sampled_from((None, *SEXES)), st.sampled_from((None, *AGE_BANDS)))
step = st.one_of(submit, st.tuples(st.just("verify"), st.integers(0, 3)),
                 st.tuples(st.just("release"), st.integers(0, 50)))


def _consistent():
    stored, recomputed = aggregates.stored_rating_aggregates(), aggregates.recompute_rating_aggregates()
    assert aggregates.differences(stored, recomputed) == []
    assert aggregates.differences(aggregates.stored_criterion_aggregates(), aggregates.recompute_criterion_aggregates()) == []
    assert aggregates.differences(aggregates.stored_cluster_aggregates(), aggregates.recompute_cluster_aggregates()) == []
    by_channel = channel_aggregates.stored()
    assert aggregates.differences(by_channel, channel_aggregates.recompute()) == []
    summed: dict = {}
    for (municipality, subject, _channel, period), row in by_channel.items():
        target = summed.setdefault((municipality, subject, period), dict.fromkeys(row, 0))
        for column, value in row.items():
            target[column] += value
    assert aggregates.differences(summed, stored) == []  # the channels add up to the whole
    assert aggregates.differences(aggregates.stored_address_aggregates(), aggregates.recompute_address_aggregates()) == []
    assert aggregates.differences(aggregates.stored_address_counts(), aggregates.recompute_address_counts()) == []
    assert aggregates.differences(aggregates.stored_composition(), aggregates.recompute_composition()) == []


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(step, min_size=1, max_size=25))
def test_aggregates_equal_a_recomputation(app, monkeypatch, steps):
    monkeypatch.setitem(app.config, "PHONE_CODES_PER_HOUR", 10_000)  # the same people verify many times
    savepoint = db.session.begin_nested()
    try:
        people = [respondent() for _ in range(4)]
        for action, *args in steps:
            if action == "submit":
                who, municipality, subject, overall, scores, quarantine, period, channel, address, sex, age = args
                if subject.startswith("LI-"):  # the staff criterion is for municipal services only
                    scores = {c: v for c, v in scores.items() if c != "CR-STAFF"}
                rate(people[who], municipality, subject, overall, period, scores, quarantine, channel, address, sex, age)
            elif action == "verify":
                verify(people[args[0]])
            else:
                quarantined = db.session.scalars(select(Rating).where(Rating.status == "quarantined")
                                                 .order_by(Rating.id)).all()
                if quarantined:
                    release(quarantined[args[0] % len(quarantined)])
        _consistent()
    finally:
        savepoint.rollback()


def test_replacement_moves_the_rating_between_buckets(app):
    who = respondent()
    rate(who, AK_BULUN, "LI-WATER", 2, 2025, {"CR-TIME": None, "CR-RESULT": 3})
    rate(who, AK_BULUN, "LI-WATER", 5, 2025, {"CR-RESULT": 4}, quarantine=True)
    row = aggregates.stored_rating_aggregates()[(AK_BULUN, "LI-WATER", 2025)]
    assert row["n"] == 0 and row["n2"] == 0 and row["n_quarantined"] == 1
    assert aggregates.stored_criterion_aggregates()[(AK_BULUN, "LI-WATER", "CR-TIME", 2025)]["n_unknown"] == 0
    _consistent()


def test_a_replacement_by_another_channel_moves_the_rating_between_channels(app):
    who = respondent()
    rate(who, AK_BULUN, "LI-WATER", 2, 2025, channel="web")
    rate(who, AK_BULUN, "LI-WATER", 2, 2025, channel="sms")  # the same score, only the channel changes
    rows = channel_aggregates.stored()
    assert rows[(AK_BULUN, "LI-WATER", "web", 2025)]["n"] == 0
    assert rows[(AK_BULUN, "LI-WATER", "sms", 2025)]["n"] == 1 and rows[(AK_BULUN, "LI-WATER", "sms", 2025)]["n2"] == 1
    assert aggregates.stored_rating_aggregates()[(AK_BULUN, "LI-WATER", 2025)]["n"] == 1
    _consistent()


def test_rebuild_repairs_the_channel_aggregates_and_reports(app):
    who = respondent()
    rate(who, KARAKOL, "LI-WATER", 4, 2025, channel="assisted")
    db.session.execute(aggregates.update(channel_aggregates.ChannelAggregate).values(n=9))
    result = app.test_cli_runner().invoke(args=["scorecards", "rebuild", "--dry-run"])
    assert "channel_aggregate: 1 difference(s)" in result.output, result.output
    aggregates.rebuild_aggregates()
    assert channel_aggregates.stored()[(KARAKOL, "LI-WATER", "assisted", 2025)]["n"] == 1
    _consistent()


def test_rebuild_repairs_and_reports(app):
    who = respondent()
    rate(who, AK_BULUN, "LI-WATER", 4, 2025)
    db.session.execute(aggregates.update(aggregates.RatingAggregate).values(n=7))
    rating_diffs, *_ = aggregates.rebuild_aggregates()
    assert [key for key, *_ in rating_diffs] == [(AK_BULUN, "LI-WATER", 2025)]
    assert aggregates.stored_rating_aggregates()[(AK_BULUN, "LI-WATER", 2025)]["n"] == 1
    _consistent()


def test_rebuild_command(app):
    runner = app.test_cli_runner()
    who = respondent()
    rate(who, KARAKOL, "LI-WATER", 3, 2025)
    result = runner.invoke(args=["scorecards", "rebuild", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "rating_aggregate: 0 difference(s)" in result.output


def test_rebuild_reports_and_repairs_the_address_counts(app):
    rate(respondent(), KARAKOL, "LI-WATER", 3, 2025, address="d" * 64)
    db.session.execute(aggregates.update(aggregates.AddressCount).values(addresses=9))
    result = app.test_cli_runner().invoke(args=["scorecards", "rebuild", "--dry-run"])
    assert "address_count: 2 difference(s)" in result.output, result.output
    *_, address_diffs = aggregates.rebuild_aggregates()
    assert sorted(key for key, *_ in address_diffs) == [(KARAKOL, 2025, ""), (KARAKOL, 2025, "LI-WATER")]
    assert queries.unit_addresses(KARAKOL, 2025) == ({"LI-WATER": 1}, 1)
    _consistent()


def test_distinct_addresses_follow_replacements_and_quarantine(app):
    """One address over two subjects counts once for the municipality; a rating without an address
    counts as one of its own; a replacement from another address, or into quarantine, moves the counts."""
    first, second, third = respondent(), respondent(), respondent()
    rate(first, AK_BULUN, "LI-WATER", 4, 2025, address="a" * 64)
    rate(first, AK_BULUN, "MS-INFO", 3, 2025, address="a" * 64)
    rate(second, AK_BULUN, "LI-WATER", 2, 2025, address="a" * 64)
    rate(third, AK_BULUN, "LI-WATER", 5, 2025)
    counts = aggregates.stored_address_counts()
    assert counts[AK_BULUN, 2025, "LI-WATER"]["addresses"] == 2 and counts[AK_BULUN, 2025, "MS-INFO"]["addresses"] == 1
    assert counts[AK_BULUN, 2025, ""]["addresses"] == 2
    rate(second, AK_BULUN, "LI-WATER", 2, 2025, address="b" * 64)  # the same rating, from another address
    rate(first, AK_BULUN, "MS-INFO", 3, 2025, quarantine=True, address="a" * 64)
    counts = aggregates.stored_address_counts()
    assert counts[AK_BULUN, 2025, "LI-WATER"]["addresses"] == 3 and counts[AK_BULUN, 2025, "MS-INFO"]["addresses"] == 0
    assert counts[AK_BULUN, 2025, ""]["addresses"] == 3
    assert queries.unit_addresses(AK_BULUN, 2025) == ({"LI-WATER": 3}, 3)
    assert queries.period_unit_addresses(2025)[AK_BULUN] == 3
    assert queries.distinct_addresses(2025)[AK_BULUN, "LI-WATER"] == 3
    _consistent()

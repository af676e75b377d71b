"""Whole scorecards and comparisons kept under the versions of every input (scorecards/kept.py):
each input's write, and time alone, changes what the very next request gets; a kept request costs
one statement; nothing per-visitor is kept or leaked."""
import datetime as dt
import time

import pytest
import time_machine
from sqlalchemy import update

from feedback import cache, front
from feedback.catalog.models import Period
from feedback.db import db
from feedback.evaluation.models import IndicatorScore, StateEvaluation
from feedback.perf import HEADER
from feedback.ratings.models import Rating
from feedback.ratings.services import current_period
from feedback.scorecards import context as shared
from feedback.scorecards import kept
from feedback.scorecards.models import ScorecardContext
from feedback.territory.models import Municipality
from tests.scorecards.helpers import AK_BULUN, KARAKOL, rate, respondent

CARD = f"/api/v1/municipalities/{AK_BULUN}/scorecard"
PAGE = f"/ky/m/{AK_BULUN}/"


def _get(client, url, **kwargs):
    response = client.get(url, **kwargs)
    assert response.status_code == 200, response.status_code
    return response


def _statements(response) -> int:
    return int(response.headers[HEADER])


def _citizen_n(client) -> int:
    return _get(client, CARD).get_json()["citizen"]["n"]


def _forget():
    """Nothing kept in this process (as in another worker): neither the kept bodies nor the front's
    copies of the responses."""
    cache.kept_store.clear()
    front.copies.clear()


def _kept_twice(client, url):
    """The second request of ``url`` is served from what the first one kept (one statement)."""
    first = _get(client, url)
    second = _get(client, url)
    assert _statements(second) == 1, (url, _statements(first), _statements(second))
    assert second.data == first.data
    return second


def test_a_kept_card_page_and_comparison_cost_one_statement_with_their_headers(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "SQL_COUNT_HEADER", True)
    for url in (CARD, PAGE, "/api/v1/compare?level=region", "/ky/compare", "/ru/compare?level=district"):
        first = _get(client, url)
        second = _kept_twice(client, url)
        assert _statements(first) > 1
        assert second.headers["Content-Type"] == first.headers["Content-Type"]
        for header in ("Cache-Control", "Content-Language", "Content-Security-Policy", "X-Content-Type-Options"):
            assert second.headers.get(header) == first.headers.get(header), header
    # Each language its own page.
    assert 'lang="ru"' in _get(client, f"/ru/m/{AK_BULUN}/").get_data(as_text=True)


def test_a_rating_shows_on_the_next_request_and_bumps_no_shared_row(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "SQL_COUNT_HEADER", True)
    period = current_period()
    _kept_twice(client, CARD)
    _kept_twice(client, PAGE)
    before = _citizen_n(client)
    scorecard_version = cache._read_snapshot().versions[kept.SCORECARD]
    rate(respondent(), AK_BULUN, "LI-WATER", 4, period)
    # The rating bumped its period's counter only: the rarer inputs' version is untouched.
    assert cache._read_snapshot().versions[kept.SCORECARD] == scorecard_version
    assert _citizen_n(client) == before + 1
    page = _get(client, PAGE)
    assert _statements(page) > 1  # made again, not the kept copy
    # A rating of the previous period changes the card's trend: kept under both counters. With the
    # tenth rating the previous period gets an index (the minimum sample).
    for score in range(9):
        rate(respondent(), AK_BULUN, "LI-WATER", 1 + score % 5, period - 1)
    for _ in range(9):  # enough for the current period's index too
        rate(respondent(), AK_BULUN, "LI-WATER", 4, period)
    assert _kept_twice(client, CARD).get_json()["citizen"]["trend"]["previous_index"] is None
    rate(respondent(), AK_BULUN, "LI-WATER", 4, period - 1)
    assert _get(client, CARD).get_json()["citizen"]["trend"]["previous_index"] is not None
    assert _statements(_get(client, CARD)) == 1  # kept again under the new counters


def test_a_state_evaluation_changes_the_card(app, client, create_user):
    period = current_period()
    if db.session.get(Period, period) is None:  # the catalog's period (a reference-data write) first
        db.session.add(Period(year=period, status="open"))
    evaluator = create_user("state_evaluator", agency_code="MOD")
    db.session.flush()
    assert _get(client, CARD).get_json()["state"]["index"] is None
    final = StateEvaluation(municipality_code=AK_BULUN, subject_code="DP-MILITARY", period=period, agency_code="MOD",
                            evaluator_id=evaluator.id, status="final")
    final.scores = [IndicatorScore(indicator_code="SI-EXECUTION", score=4)]
    db.session.add(final)
    db.session.flush()
    assert _get(client, CARD).get_json()["state"]["index"] == 75.0


def _late_morning_in_kyrgyzstan() -> dt.datetime:
    """11:00 today in Kyrgyzstan (05:00 UTC): the next hours stay within its day, whose date is part
    of a kept card's key (run between 17:00 and 18:00 UTC, "now + 1 hour" was already tomorrow there)."""
    return dt.datetime.now(dt.UTC).replace(hour=5, minute=0, second=0, microsecond=0)


def _comment(text: str, *, days_ago: float = 0, status: str = "pending") -> Rating:
    from feedback.ratings.signals import changed

    who = respondent()
    at = dt.datetime.now(dt.UTC) - dt.timedelta(days=days_ago)
    rating = Rating(respondent_id=who.id, municipality_code=AK_BULUN, subject_code="LI-WATER", period=current_period(),
                    overall=2, comment=text, comment_status=status, created_at=at, updated_at=at,
                    comment_moderated_at=at if status == "approved" else None)
    db.session.add(rating)
    db.session.flush()
    changed(None, rating)
    return rating


def test_a_moderation_decision_changes_the_page(app, client, create_user):
    from feedback.moderation.services import approve_comment

    rating = _comment("Көчөдө жарык жок")
    assert "Көчөдө жарык жок" not in _get(client, PAGE).get_data(as_text=True)
    approve_comment(create_user("moderator"), rating.id)
    assert "Көчөдө жарык жок" in _get(client, PAGE).get_data(as_text=True)


def test_an_answer_changes_the_card(app, client, create_user):
    from feedback.answers.services import answer_comments

    rating = _comment("Суу жок", days_ago=1, status="approved")
    before = _get(client, CARD).get_json()["responsiveness"]
    staff = create_user("lsg_staff", municipality_code=AK_BULUN)
    answer_comments(staff, AK_BULUN, [rating.id], "ky", "Суу түтүгүн оңдойбуз.")
    db.session.flush()
    after = _get(client, CARD).get_json()["responsiveness"]

    def answered(track):
        return next((c["successes"], c["n"]) for c in track["components"] if c["name"] == "answered_on_time")

    assert answered(before) == (0, 0) and answered(after) == (1, 1)


def test_a_methodology_publish_changes_the_card(app, client):
    from feedback.scorecards import methodology as mth

    before = _get(client, CARD).get_json()["methodology_version"]
    published = mth.publish(None, notes="test")
    published = mth.publish({**published.values, "confidence": 0.8}, notes="test")
    db.session.flush()
    assert _get(client, CARD).get_json()["methodology_version"] == published.version != before


def test_the_methodology_page_is_kept_until_a_publish(app, client, monkeypatch):
    from feedback.scorecards import methodology as mth

    monkeypatch.setitem(app.config, "SQL_COUNT_HEADER", True)
    page = "/ru/methodology"
    before = _kept_twice(client, page).get_data(as_text=True)
    published = mth.publish(None, notes="test")
    published = mth.publish({**published.values, "confidence": 0.8}, notes="test")
    db.session.flush()
    after = _get(client, page).get_data(as_text=True)
    assert after != before and f"версия {published.version}</h1>" in after


def test_time_alone_expires_a_kept_card_at_an_answer_deadline_and_at_midnight(app, client, monkeypatch):
    from feedback.answers import queries as answer_queries

    monkeypatch.setitem(app.config, "SQL_COUNT_HEADER", True)
    days = answer_queries.constants()["answer_deadline_days"]
    now = _late_morning_in_kyrgyzstan()
    # Published so that its deadline falls two hours from now.
    with time_machine.travel(now, tick=False):
        _comment("Жол начар", days_ago=days - 2 / 24, status="approved")
    with time_machine.travel(now, tick=False):
        card = _get(client, CARD).get_json()["responsiveness"]
        assert card.get("overdue_comments", 0) == 0
        _kept_twice(client, CARD)
    with time_machine.travel(now + dt.timedelta(hours=1), tick=False):
        assert _statements(_get(client, CARD)) == 1  # before the deadline: still the kept card
    with time_machine.travel(now + dt.timedelta(hours=3), tick=False):
        late = _get(client, CARD)
        assert _statements(late) > 1
        assert late.get_json()["responsiveness"]["overdue_comments"] == 1
    # With no deadline ahead, the date in Kyrgyzstan is part of the key: the next day makes it again.
    with time_machine.travel(now + dt.timedelta(hours=4), tick=False):
        _kept_twice(client, CARD)
    with time_machine.travel(now + dt.timedelta(days=1, hours=4), tick=False):
        assert _statements(_get(client, CARD)) > 1


def test_a_card_made_from_another_context_than_the_stored_one_is_served_but_not_kept(app, client, monkeypatch):
    """A context that is not the stored row the key names (computed without being stored, or stored
    by another process since the key was read) makes a card that is served but not kept."""
    monkeypatch.setitem(app.config, "SQL_COUNT_HEADER", True)
    _kept_twice(client, CARD)  # the contexts are stored
    real = shared._get
    monkeypatch.setattr(shared, "_get", lambda *a, **k: {**real(*a, **k), "stamp": "another-row"})
    _forget()
    _get(client, CARD)
    assert _statements(_get(client, CARD)) > 1
    monkeypatch.setattr(shared, "_get", real)
    _kept_twice(client, CARD)


def test_a_card_made_while_another_process_recomputes_the_context_is_kept_until_its_claim_lapses(
        app, client, monkeypatch):
    monkeypatch.setitem(app.config, "SQL_COUNT_HEADER", True)
    monkeypatch.setitem(app.config, "SCORECARD_CONTEXT_MIN_SECONDS", 0)  # stale means due at once
    _kept_twice(client, CARD)
    rate(respondent(), KARAKOL, "LI-WATER", 4, current_period())  # elsewhere: the context is stale
    now = dt.datetime.now(dt.UTC)
    db.session.execute(update(ScorecardContext).values(computing_since=now))  # another process's claim
    with time_machine.travel(now, tick=False):
        made = _get(client, CARD)
        assert _statements(made) > 1
        assert _statements(_get(client, CARD)) == 1  # kept under the stored row, still being recomputed
    with time_machine.travel(now + dt.timedelta(seconds=shared.CLAIM_SECONDS + 1), tick=False):
        # The claim lapsed (a crashed worker's): made again, and this request recomputes the context.
        assert _statements(_get(client, CARD)) > 1
        _kept_twice(client, CARD)


def test_a_rating_elsewhere_leaves_a_kept_card_kept_until_the_context_is_recomputed(app, client, monkeypatch):
    """Issue 8: a rating changes its own municipality's card on the next request; another
    municipality's kept card is served as it was (one statement, nothing made again) until the
    shared context is recomputed, at most once per SCORECARD_CONTEXT_MIN_SECONDS."""
    monkeypatch.setitem(app.config, "SQL_COUNT_HEADER", True)
    monkeypatch.setitem(app.config, "SCORECARD_CONTEXT_MIN_SECONDS", 10)
    period = current_period()
    other = f"/api/v1/municipalities/{KARAKOL}/scorecard"
    other_page = f"/ru/m/{KARAKOL}/"
    for score in range(12):  # both published, so both are placed in the shared context
        rate(respondent(), AK_BULUN, "LI-WATER", 1 + score % 5, period)
        rate(respondent(), KARAKOL, "LI-WATER", 2 + score % 4, period)
    now = dt.datetime.now(dt.UTC)
    with time_machine.travel(now, tick=False):
        mine = _kept_twice(client, CARD).get_json()
        theirs = _kept_twice(client, other)
        page = _kept_twice(client, other_page)
        counter = theirs.get_json()["position"]["as_of_counter"]
        rate(respondent(), AK_BULUN, "LI-WATER", 5, period)
        mine_now = _get(client, CARD)
        assert mine_now.get_json()["citizen"]["n"] == mine["citizen"]["n"] + 1  # at once
        assert mine_now.get_json()["position"]["as_of_counter"] == counter  # the stored context, stale
        assert mine_now.get_json()["position"]["current"] is False
        assert _statements(_get(client, CARD)) == 1  # and kept under it
        for url, before in ((other, theirs), (other_page, page)):
            again = _get(client, url)
            assert _statements(again) == 1 and again.data == before.data  # nothing made again
    with time_machine.travel(now + dt.timedelta(seconds=9), tick=False):
        assert _statements(_get(client, other)) == 1
    with time_machine.travel(now + dt.timedelta(seconds=11), tick=False):
        later = _get(client, other)
        assert _statements(later) > 1  # the context is due: recomputed, the card made again
        position = later.get_json()["position"]
        assert position["as_of_counter"] == counter + 1 and position["current"] is True
        assert _statements(_get(client, other)) == 1  # kept again, under the new context
        assert _statements(_get(client, other_page)) > 1  # the page too
        assert _statements(_get(client, CARD)) > 1  # every card now rests on the new context
        assert _get(client, CARD).get_json()["position"]["as_of_counter"] == counter + 1


def test_rebuilding_the_aggregates_changes_every_rated_municipalitys_card(app, client, monkeypatch):
    from feedback.scorecards.aggregates import rebuild_aggregates

    monkeypatch.setitem(app.config, "SQL_COUNT_HEADER", True)
    rate(respondent(), AK_BULUN, "LI-WATER", 4, current_period())
    _kept_twice(client, CARD)
    units = cache._read_snapshot(AK_BULUN, ()).units
    rebuild_aggregates()
    assert cache._read_snapshot(AK_BULUN, ()).units[current_period()] == units[current_period()] + 1
    assert _statements(_get(client, CARD)) > 1


def test_a_rolled_back_write_leaves_the_kept_cards_usable(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "SQL_COUNT_HEADER", True)
    from feedback.scorecards import methodology as mth

    first = _kept_twice(client, CARD)
    version = cache._read_snapshot().versions[kept.SCORECARD]
    savepoint = db.session.begin_nested()
    mth.publish(None, notes="rolled back")
    db.session.flush()
    assert cache._read_snapshot().versions[kept.SCORECARD] > version
    savepoint.rollback()
    assert cache._read_snapshot().versions[kept.SCORECARD] == version
    again = _get(client, CARD)
    assert _statements(again) == 1 and again.data == first.data


def test_only_anonymous_visitors_without_comments_of_their_own_get_the_kept_page(app, client, monkeypatch):
    from itsdangerous import URLSafeSerializer

    monkeypatch.setitem(app.config, "SQL_COUNT_HEADER", True)
    token = _comment("Менин комментарийим", status="approved").respondent.token
    device = app.test_client()
    device.set_cookie("respondent", URLSafeSerializer(app.config["SECRET_KEY"], salt="respondent").dumps(token),
                      domain="localhost")
    anonymous = _kept_twice(client, PAGE).get_data(as_text=True)
    assert 'id="my-answers"' not in anonymous and "csrf_token" not in anonymous
    own = device.get(PAGE)
    assert 'id="my-answers"' in own.get_data(as_text=True) and _statements(own) > 1
    # The device's own page was neither served from nor kept for the others.
    again = _get(client, PAGE)
    assert _statements(again) == 1 and 'id="my-answers"' not in again.get_data(as_text=True)


def test_a_comment_leaving_the_page_bumps_the_version_but_a_plain_rating_change_does_not():
    version = cache._read_snapshot().versions[kept.SCORECARD]
    plain = rate(respondent(), AK_BULUN, "LI-WATER", 3, current_period())
    plain.overall = 4
    db.session.flush()
    assert cache._read_snapshot().versions[kept.SCORECARD] == version
    shown = _comment("Бул көрүнөт", status="approved")
    assert cache._read_snapshot().versions[kept.SCORECARD] == version + 1
    shown.comment_status = "rejected"
    db.session.flush()
    assert cache._read_snapshot().versions[kept.SCORECARD] == version + 2
    hidden = _comment("Бул көрүнбөйт")  # pending: not on any page
    hidden.comment = "Башка текст"
    db.session.flush()
    assert cache._read_snapshot().versions[kept.SCORECARD] == version + 2
    # A bulk statement on the ratings (retention erasing comments, the demonstration data) bumps it.
    db.session.execute(update(Rating).where(Rating.id == hidden.id).values(comment=None))
    assert cache._read_snapshot().versions[kept.SCORECARD] == version + 3


def test_the_kept_store_is_bounded_by_size():
    store = cache._ByteStore(100)
    for i in range(10):
        store.put(i, b"x" * 30, None)
    assert store.size <= 100 and len(store.items) == 3
    assert store.get(9, 0.0) == b"x" * 30 and store.get(0, 0.0) is None
    store.put("late", b"y", 10.0)
    assert store.get("late", 5.0) == b"y" and store.get("late", 10.0) is None


def test_with_redis_configured_processes_share_what_one_made(app, client, monkeypatch):
    """REDIS_URL set: a card one process made is served to another (here: this process with its own
    copies dropped) from Redis, under the same versions; a rating makes a new key."""
    import os

    from redis import Redis

    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/14")
    connection = Redis.from_url(url)
    connection.flushdb()
    monkeypatch.setitem(app.config, "REDIS_URL", url)
    monkeypatch.setitem(app.config, "SQL_COUNT_HEADER", True)
    try:
        first = _get(client, CARD)
        assert _statements(first) > 1 and connection.dbsize() == 1
        assert 0 < connection.ttl(connection.keys()[0]) <= cache.SHARED_TTL
        cache.kept_store.clear()  # as another process
        second = _get(client, CARD)
        assert _statements(second) == 1 and second.data == first.data
        rate(respondent(), AK_BULUN, "LI-WATER", 5, current_period())
        third = _get(client, CARD)
        assert third.get_json()["citizen"]["n"] == first.get_json()["citizen"]["n"] + 1
        assert connection.dbsize() == 2
    finally:
        connection.flushdb()


def test_a_request_that_wrote_keeps_nothing(app):
    with app.test_request_context("/"):
        made = []
        cache.kept(("a request that only read",), lambda: made.append(1) or b"kept")
        cache.mark_written()  # e.g. a rating's aggregates in this request's own transaction
        cache.kept(("a request that wrote",), lambda: made.append(1) or b"not kept")
        assert ("a request that only read",) in cache.kept_store.items
        assert ("a request that wrote",) not in cache.kept_store.items
        cache.kept(("a request that only read",), lambda: made.append(1) or b"kept")
        assert len(made) == 3  # after a write, not even a kept value is read


def test_signed_in_staff_get_their_own_page_never_the_kept_one(app, client, create_user, sign_in, monkeypatch):
    monkeypatch.setitem(app.config, "SQL_COUNT_HEADER", True)
    anonymous = _kept_twice(client, PAGE).get_data(as_text=True)
    staff = sign_in(app.test_client(), create_user("lsg_staff", municipality_code=AK_BULUN))
    theirs = staff.get(PAGE)
    assert 'class="account"' in theirs.get_data(as_text=True) and _statements(theirs) > 1
    assert 'class="account"' not in anonymous
    assert 'class="account"' not in _get(client, PAGE).get_data(as_text=True)


def test_the_snapshot_reader_sees_each_commit_and_survives_a_lost_connection(tmp_path):
    """Outside the tests' one-connection transaction, the snapshot is read on a connection each thread
    keeps for it: it must see every commit at once, and recover when that connection is lost."""
    from sqlalchemy import create_engine, text

    engine = create_engine(f"sqlite:///{tmp_path / 'versions.sqlite3'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE cache_version (name VARCHAR(40) PRIMARY KEY, version INTEGER)"))
        conn.execute(text("CREATE TABLE period_counter (period INTEGER PRIMARY KEY, counter INTEGER)"))
        conn.execute(text("INSERT INTO cache_version VALUES ('scorecard', 1)"))
    try:
        assert sorted(cache._snapshot_rows(engine)) == [("scorecard", 0, 1, None, None, None)]
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO period_counter VALUES (2026, 7)"))
            conn.execute(text("UPDATE cache_version SET version = 2"))
        expected = [("", 2026, 7, None, None, None), ("scorecard", 0, 2, None, None, None)]
        assert sorted(cache._snapshot_rows(engine)) == expected
        cache._reader.connection.dbapi_connection.close()  # lost (a restarted database)
        assert sorted(cache._snapshot_rows(engine)) == expected
    finally:
        cache._reader.connection = None
        engine.dispose()


def test_compressed_forms_of_kept_responses_are_reused_only_for_the_same_bytes(app, client, monkeypatch):
    """perf.py keeps brotli/gzip forms of kept bodies under a digest of the body: a second phone gets
    the same compressed bytes without compressing again; a rating (a new body) is compressed anew;
    a page that is not kept is compressed on every request."""
    import brotli
    import flask_compress.flask_compress as fc

    calls = []
    real = fc._compress_data
    monkeypatch.setattr(fc, "_compress_data", lambda *args: calls.append(args[2]) or real(*args))
    phone = {"Accept-Encoding": "gzip, deflate, br"}
    for url in (CARD, PAGE):
        calls.clear()
        first = _get(client, url, headers=phone)
        second = _get(client, url, headers=phone)
        assert first.headers["Content-Encoding"] == second.headers["Content-Encoding"] == "br"
        assert second.data == first.data and len(calls) == 1, (url, calls)
        assert brotli.decompress(second.data) == _get(client, url).data  # exactly the kept body
        calls.clear()
        assert _get(client, url, headers={"Accept-Encoding": "gzip"}).headers["Content-Encoding"] == "gzip"
        assert calls == ["gzip"]  # each algorithm its own form
    before = brotli.decompress(_get(client, CARD, headers=phone).data)
    rate(respondent(), AK_BULUN, "LI-WATER", 2, current_period())
    calls.clear()
    after = brotli.decompress(_get(client, CARD, headers=phone).data)
    assert after != before and calls == ["br"]
    calls.clear()
    for _ in range(2):  # the search page, kept whole (cache.page): the front sends its copy as it was
        _get(client, "/ky/search?q=ak", headers=phone)
    assert calls == ["br"]
    calls.clear()
    for _ in range(2):  # a page that is not kept: compressed every time
        _get(client, "/ky/open-data", headers=phone)
    assert calls == ["br", "br"]


COMPARE = "/api/v1/compare?level=region"


def _area_input_reads(monkeypatch) -> list:
    """Count the computations of what a comparison reads besides the ratings (card.area_inputs)."""
    from feedback.scorecards import tracks

    calls = []
    real = tracks.period_indices
    monkeypatch.setattr(tracks, "period_indices", lambda *a, **k: calls.append(a) or real(*a, **k))
    return calls


def _region_n(response, region: str) -> int:
    return next(item["n"] for item in response.get_json()["items"] if item["code"] == region)


def test_a_rating_makes_a_comparison_again_from_the_aggregates_alone(app, client, monkeypatch):
    """A new rating (its period's counter) makes the next comparison miss, but what rests only on the
    other versions — state indices, the tracks' period indices — stays kept: it is not read again."""
    monkeypatch.setitem(app.config, "SQL_COUNT_HEADER", True)
    reads = _area_input_reads(monkeypatch)
    first = _kept_twice(client, COMPARE)
    assert len(reads) == 1
    region = db.session.get(Municipality, AK_BULUN).region_code
    rate(respondent(), AK_BULUN, "LI-WATER", 4, current_period())
    again = _get(client, COMPARE)
    assert _statements(again) > 1 and _region_n(again, region) == _region_n(first, region) + 1
    assert len(reads) == 1  # the rating did not make the tracks and state indices read again
    # A change of those (a state evaluation bumps the scorecard version) does.
    version = cache._read_snapshot().versions[kept.SCORECARD]
    db.session.execute(update(StateEvaluation).where(StateEvaluation.id == -1).values(status="final"))
    assert cache._read_snapshot().versions[kept.SCORECARD] == version + 1
    assert _get(client, COMPARE).get_json()["items"] and len(reads) == 2


def test_a_comparison_made_from_kept_area_inputs_still_expires_at_their_answer_deadline(app, client, monkeypatch):
    from feedback.answers import queries as answer_queries

    monkeypatch.setitem(app.config, "SQL_COUNT_HEADER", True)
    days = answer_queries.constants()["answer_deadline_days"]
    now = _late_morning_in_kyrgyzstan()
    with time_machine.travel(now, tick=False):
        _comment("Жол начар", days_ago=days - 2 / 24, status="approved")  # its deadline: two hours from now
    with time_machine.travel(now, tick=False):
        _kept_twice(client, COMPARE)
        rate(respondent(), AK_BULUN, "LI-WATER", 4, current_period())
        _kept_twice(client, COMPARE)  # made again after the rating, from the kept area inputs
    with time_machine.travel(now + dt.timedelta(hours=1), tick=False):
        assert _statements(_get(client, COMPARE)) == 1
    with time_machine.travel(now + dt.timedelta(hours=3), tick=False):
        assert _statements(_get(client, COMPARE)) > 1  # past the deadline the area inputs brought


def test_area_inputs_are_recomputed_by_one_worker_while_the_others_serve_the_last_ones(app, client, monkeypatch):
    """While another worker holds the claim on stale area inputs, a comparison is made from the last
    inputs computed (not computed again) and not kept; once the claim is gone they are computed once."""
    from feedback.scorecards import area_inputs

    monkeypatch.setitem(app.config, "SQL_COUNT_HEADER", True)
    reads = _area_input_reads(monkeypatch)
    monkeypatch.setattr(area_inputs, "_latest", {})
    monkeypatch.setattr(area_inputs, "_claims", {})
    first = _kept_twice(client, COMPARE)
    assert len(reads) == 1
    db.session.execute(update(StateEvaluation).where(StateEvaluation.id == -1).values(status="final"))  # stale now
    for name in list(area_inputs._latest):
        area_inputs._claims[name] = time.monotonic() + area_inputs.CLAIM_SECONDS  # another worker's claim
    for _ in range(2):
        served = _get(client, COMPARE)
        assert _statements(served) > 1 and served.data == first.data  # the last inputs, kept by nobody
    assert len(reads) == 1
    area_inputs._claims.clear()  # its computation done (or lapsed)
    _kept_twice(client, COMPARE)
    assert len(reads) == 2 and not area_inputs._claims  # computed once, the claim released


@pytest.fixture
def area_redis(app, monkeypatch):
    """(Redis, the area inputs' computations so far) with REDIS_URL configured and nothing kept yet;
    Redis emptied after."""
    import os

    from redis import Redis

    from feedback.scorecards import area_inputs

    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/14")
    connection = Redis.from_url(url)
    connection.flushdb()
    monkeypatch.setitem(app.config, "REDIS_URL", url)
    monkeypatch.setitem(app.config, "SQL_COUNT_HEADER", True)
    reads = _area_input_reads(monkeypatch)
    monkeypatch.setattr(area_inputs, "_latest", {})
    yield connection, reads
    connection.flushdb()


def test_with_redis_the_claim_and_the_last_area_inputs_are_shared_between_processes(client, area_redis):
    from feedback.scorecards import area_inputs

    connection, reads = area_redis
    first = _kept_twice(client, COMPARE)
    names = [key.decode() for key in connection.keys("feedback:area-inputs:latest:*")]
    assert len(reads) == 1 and len(names) == 1
    db.session.execute(update(StateEvaluation).where(StateEvaluation.id == -1).values(status="final"))
    area_inputs._latest.clear()  # as another process: only Redis has the last inputs
    _forget()
    connection.set(names[0].replace(":latest:", ":claim:"), b"1", ex=60)  # another process's claim
    served = _get(client, COMPARE)
    assert served.data == first.data and len(reads) == 1 and _statements(_get(client, COMPARE)) > 1
    connection.delete(names[0].replace(":latest:", ":claim:"))
    _kept_twice(client, COMPARE)
    assert len(reads) == 2 and not connection.keys("feedback:area-inputs:claim:*")


def test_with_redis_area_inputs_outlive_what_redis_keeps_for_fifteen_minutes(client, area_redis):
    """A worker whose own copies are gone (evicted by 600 cards, or a new worker) finds the area inputs
    in Redis after cache.SHARED_TTL has passed: making them again takes seconds at millions of ratings
    (a stall inside a request every 15 minutes, make bench's comparison at SQLite 5 M). The kept
    comparison itself may go: it is made again from the kept inputs."""
    from feedback.scorecards import area_inputs

    connection, reads = area_redis
    first = _kept_twice(client, COMPARE)
    assert len(reads) == 1
    # Fifteen minutes on: Redis has dropped what it held for cache.SHARED_TTL or less.
    for key in connection.keys("feedback:kept:*"):
        if connection.ttl(key) <= cache.SHARED_TTL:
            connection.delete(key)
    area_inputs._latest.clear()
    _forget()
    again = _get(client, COMPARE)
    assert again.data == first.data and _statements(again) > 1  # the comparison made again…
    assert len(reads) == 1  # …from the inputs Redis still holds


def test_the_methodology_page_states_how_often_the_shared_context_is_recomputed(app, client, monkeypatch):
    assert app.config["SCORECARD_CONTEXT_MIN_SECONDS"] == 10  # the default, in tests as everywhere
    ru, ky = (_get(client, f"/{lang}/methodology").get_data(as_text=True) for lang in ("ru", "ky"))
    assert "не чаще одного раза в 10 с" in ru and "10 секундада бир жолудан көп эмес" in ky
    monkeypatch.setitem(app.config, "SCORECARD_CONTEXT_MIN_SECONDS", 0)
    assert "при следующем открытии карты" in _get(client, "/ru/methodology").get_data(as_text=True)


def test_a_methodology_1_card_rests_on_every_rating_of_its_periods(app, client, monkeypatch):
    """Methodology 1 computes its context from every rating of the period in the request: its card
    is kept under the periods' counters (``?methodology=1``), and a method-1 version asked for
    otherwise (here: published as the newest) is served but not kept."""
    from feedback.scorecards import methodology as mth

    monkeypatch.setitem(app.config, "SQL_COUNT_HEADER", True)
    v1 = CARD + "?methodology=1"
    _kept_twice(client, v1)
    rate(respondent(), KARAKOL, "LI-WATER", 4, current_period())  # elsewhere
    assert _statements(_get(client, v1)) > 1
    _kept_twice(client, v1)
    import json

    from feedback.scorecards.models import Methodology

    mth.publish(None)  # the built-in versions stored, then method 1 again as the newest
    db.session.add(Methodology(version=mth.latest_version() + 1, parameters=json.dumps(mth.validate({})),
                               notes="method 1 again"))
    db.session.flush()
    assert _get(client, CARD).get_json()["methodology_version"] == mth.latest_version()
    assert _statements(_get(client, CARD)) > 1


def test_the_comparison_page_recomputing_the_context_keeps_its_area_inputs_and_itself(app, client, monkeypatch):
    """The comparison page reads the shared context and the area inputs (kept within its own
    making): a context recomputed (and stored) by the page's request neither makes the area inputs
    again (their key names no context) nor leaves the page unkept (its key follows the new context)."""
    monkeypatch.setitem(app.config, "SQL_COUNT_HEADER", True)
    monkeypatch.setitem(app.config, "SCORECARD_CONTEXT_MIN_SECONDS", 0)  # recomputed after the rating
    reads = _area_input_reads(monkeypatch)
    page = "/ru/compare?level=peer_group&index=responsiveness"
    _kept_twice(client, page)
    assert len(reads) == 1
    rate(respondent(), AK_BULUN, "LI-WATER", 4, current_period())
    assert _statements(_get(client, page)) > 1
    assert len(reads) == 1
    assert _statements(_get(client, page)) == 1

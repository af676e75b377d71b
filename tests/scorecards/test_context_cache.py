"""The per-process scorecard context: reused within the lag, recomputed when the data changed after it."""
from feedback.ratings.abuse import Signals
from feedback.ratings.models import Respondent
from feedback.ratings.services import RatingInput, current_period, submit_rating
from feedback.scorecards import methodology, scorecard


def rate(session, token):
    respondent = Respondent(token=token)
    session.add(respondent)
    session.flush()
    submit_rating(RatingInput("41702205805000", "LI-WATER", 4), respondent,
                  Signals(municipality_code="41702205805000", respondent_id=respondent.id, address_hash=token))


def fresh_context(app, period):
    with app.app_context(), app.test_request_context():  # a request of its own: its own g
        return scorecard.context(period, methodology.get())


def test_context_is_kept_within_the_lag_and_recomputed_after(app, session, monkeypatch):
    monkeypatch.setitem(app.config, "SCORECARD_MAX_LAG_SECONDS", 30)
    monkeypatch.setattr(scorecard, "_CONTEXTS", {})
    clock = [1000.0]
    monkeypatch.setattr(scorecard.time, "monotonic", lambda: clock[0])
    period = current_period()
    first = fresh_context(app, period)
    assert fresh_context(app, period) is first  # same data, same process
    rate(session, "cache-test-1")
    clock[0] += 10
    assert fresh_context(app, period) is first  # new rating, but within the lag
    clock[0] += 30
    second = fresh_context(app, period)
    assert second is not first  # the data changed and the lag has passed
    clock[0] += 300
    assert fresh_context(app, period) is second  # unchanged data: kept


def test_nothing_is_kept_under_testing(app):
    period = current_period()
    assert fresh_context(app, period) is not fresh_context(app, period)

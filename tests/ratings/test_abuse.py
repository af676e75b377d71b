"""Anti-abuse rules (feedback/ratings/abuse.py): each rule, its threshold, and that a quarantined rating
is stored but never counted; comment flags; rate limits."""
import datetime as dt
import time

import pytest
from itsdangerous import URLSafeSerializer, URLSafeTimedSerializer

from feedback import create_app
from feedback.db import db
from feedback.ratings import abuse
from feedback.ratings.abuse import DEFAULTS, Signals, comment_flags, quarantine_rule
from feedback.ratings.models import Rating, utcnow
from feedback.ratings.services import RatingInput, current_period, submit_rating
from feedback.scorecards.queries import subject_summary
from feedback.security import limiter
from tests.conftest import csrf_token
from tests.ratings.test_views import AK_BULUN, KARAKOL, Resident, count, new_respondent, ratings


def signals(**changes) -> Signals:
    return Signals(**{"municipality_code": AK_BULUN, "respondent_id": 1, "address_hash": "a" * 64, **changes})


def stamp(app, seconds_ago: float, shown: str) -> str:
    """The form's own stamp (``shown``), as if the form had been shown `seconds_ago` seconds ago."""
    serializer = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="form-stamp")
    return serializer.dumps({**serializer.loads(shown), "t": time.time() - seconds_ago})


def later(monkeypatch, seconds: float):
    """Move the anti-abuse clock forward."""
    moved = utcnow() + dt.timedelta(seconds=seconds)
    monkeypatch.setattr(abuse, "utcnow", lambda: moved)


# --- the rules, one by one --------------------------------------------------------------------------

def test_defaults():
    assert DEFAULTS["ABUSE_MIN_FILL_SECONDS"] == 3
    assert DEFAULTS["ABUSE_BURST_PER_ADDRESS"] > 0 and DEFAULTS["ABUSE_BURST_PER_DEVICE"] > 0


def test_nothing_suspicious_is_accepted():
    assert quarantine_rule(signals()) is None
    assert quarantine_rule(signals(fill_seconds=None)) is None  # the API has no form to time
    assert quarantine_rule(signals(fill_seconds=3)) is None
    assert quarantine_rule(signals(fill_seconds=45.5)) is None


def test_honeypot():
    assert quarantine_rule(signals(honeypot="http://spam.example")) == "honeypot"
    assert quarantine_rule(signals(honeypot=" ")) == "honeypot"


def test_too_fast(app, monkeypatch):
    assert quarantine_rule(signals(fill_seconds=0)) == "too_fast"
    assert quarantine_rule(signals(fill_seconds=2.9)) == "too_fast"
    monkeypatch.setitem(app.config, "ABUSE_MIN_FILL_SECONDS", 10)
    assert quarantine_rule(signals(fill_seconds=9)) == "too_fast"
    assert quarantine_rule(signals(fill_seconds=10)) is None


def test_own_staff():
    assert quarantine_rule(signals(staff_municipality_code=AK_BULUN)) == "own_staff"
    assert quarantine_rule(signals(staff_municipality_code=KARAKOL)) is None
    assert quarantine_rule(signals(staff_municipality_code=None)) is None


def test_first_rule_wins():
    assert quarantine_rule(signals(honeypot="x", fill_seconds=0, staff_municipality_code=AK_BULUN)) == "honeypot"
    assert quarantine_rule(signals(fill_seconds=0, staff_municipality_code=AK_BULUN)) == "too_fast"


def test_own_staff_through_submit_rating(session):
    staff = new_respondent(session, "staff")
    outcome = submit_rating(RatingInput(AK_BULUN, "LI-WATER", 5), staff,
                            signals(respondent_id=staff.id, staff_municipality_code=AK_BULUN))
    session.flush()
    assert (outcome.rating.status, outcome.rating.quarantine_rule) == ("quarantined", "own_staff")
    assert count() == 1


# --- through the form ---------------------------------------------------------------------------------

def test_honeypot_filled_on_the_form_is_quarantined(app, monkeypatch):
    monkeypatch.setitem(app.config, "ABUSE_MIN_FILL_SECONDS", 0)
    bot = Resident(app)
    response, thanks = bot.rate_and_thank(AK_BULUN, "LI-WATER", overall="5", website="http://spam.example")
    [rating] = ratings()
    assert (rating.status, rating.quarantine_rule) == ("quarantined", "honeypot")
    assert "Ваша оценка проверяется, прежде чем будет учтена." in thanks.text


def test_a_form_sent_back_too_fast_is_quarantined(app):
    assert app.config.get("ABUSE_MIN_FILL_SECONDS", 3) == 3
    bot = Resident(app)
    response = bot.rate(AK_BULUN, "LI-WATER", overall="5")  # sent back the moment it was shown
    assert response.status_code == 303
    [rating] = ratings()
    assert (rating.status, rating.quarantine_rule) == ("quarantined", "too_fast")


def test_a_form_answered_at_a_human_pace_is_accepted(app):
    person = Resident(app)
    hidden = person.form(AK_BULUN, "LI-WATER")
    response = person.post(f"/ru/m/{AK_BULUN}/rate/LI-WATER",
                           data={**hidden, "started": stamp(app, 20, hidden["started"]), "overall": "4"})
    assert response.status_code == 303
    [rating] = ratings()
    assert (rating.status, rating.quarantine_rule) == ("accepted", None)


def test_the_form_stamp_is_honoured_after_waiting(app, monkeypatch):
    """The stamp the page itself signed, with the clock moved on."""
    person = Resident(app)
    hidden = person.form(AK_BULUN, "LI-WATER")
    real = time.time
    monkeypatch.setattr("feedback.ratings.abuse.time.time", lambda: real() + 30)
    person.post(f"/ru/m/{AK_BULUN}/rate/LI-WATER", data={**hidden, "overall": "4"})
    assert ratings()[0].status == "accepted"


@pytest.mark.parametrize("forged", [
    None,  # missing
    "",
    "1700000000.0",  # an unsigned time
    "not-a-stamp",
    URLSafeSerializer("another-key", salt="form-started").dumps("1700000000.0"),
])
def test_a_missing_or_forged_started_stamp_counts_as_too_fast(app, forged):
    bot = Resident(app)
    hidden = bot.form(AK_BULUN, "LI-WATER")
    data = {"csrf_token": hidden["csrf_token"], "overall": "4"}
    if forged is not None:
        data["started"] = forged
    assert bot.post(f"/ru/m/{AK_BULUN}/rate/LI-WATER", data=data).status_code == 303
    [rating] = ratings()
    assert (rating.status, rating.quarantine_rule) == ("quarantined", "too_fast")


def test_the_api_is_not_timed(app):
    assert Resident(app).api({"municipality": AK_BULUN, "subject": "LI-WATER", "overall": 4}).status_code == 201
    assert ratings()[0].status == "accepted"


# --- bursts ---------------------------------------------------------------------------------------------

def rate_api(app, address="10.0.0.1", code=AK_BULUN, subject="LI-WATER", resident=None):
    resident = resident or Resident(app, address)
    response = resident.api({"municipality": code, "subject": subject, "overall": 3})
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()["status"]


def test_burst_from_one_address(app, monkeypatch):
    monkeypatch.setitem(app.config, "ABUSE_BURST_PER_ADDRESS", 3)
    assert [rate_api(app) for _ in range(3)] == ["accepted"] * 3
    assert rate_api(app) == "quarantined"
    assert rate_api(app) == "quarantined"
    assert ratings()[-1].quarantine_rule == "burst_address"
    # Other addresses, and the same address for another municipality, are not affected.
    assert rate_api(app, address="10.0.0.2") == "accepted"
    assert rate_api(app, code=KARAKOL) == "accepted"
    # The address itself is not stored, only its keyed hash.
    assert all(r.address_hash and "10.0.0.1" not in r.address_hash for r in ratings())
    assert len({r.address_hash for r in ratings()}) == 2


def test_burst_from_one_address_ends_with_the_window(app, monkeypatch):
    monkeypatch.setitem(app.config, "ABUSE_BURST_PER_ADDRESS", 3)
    monkeypatch.setitem(app.config, "ABUSE_BURST_WINDOW_SECONDS", 600)
    for _ in range(3):
        rate_api(app)
    assert rate_api(app) == "quarantined"
    later(monkeypatch, 599)
    assert rate_api(app) == "quarantined"
    later(monkeypatch, 601)
    assert rate_api(app) == "accepted"


def test_burst_from_one_device(app, monkeypatch):
    monkeypatch.setitem(app.config, "ABUSE_BURST_PER_DEVICE", 3)
    device = Resident(app, "10.0.0.7")
    statuses = [rate_api(app, subject=s, resident=device) for s in ("LI-WATER", "LI-ROADS", "LI-LIGHT")]
    assert statuses == ["accepted"] * 3
    # Changing one's own earlier rating is not a burst.
    assert rate_api(app, subject="LI-WATER", resident=device) == "accepted"
    assert rate_api(app, subject="LI-WASTE", resident=device) == "quarantined"
    assert ratings()[-1].quarantine_rule == "burst_device"
    # Another municipality, and other residents, are not affected.
    assert rate_api(app, code=KARAKOL, subject="LI-WATER", resident=device) == "accepted"
    assert rate_api(app, address="10.0.0.8", subject="LI-WASTE") == "accepted"


def test_burst_from_one_device_ends_with_the_window(app, monkeypatch):
    monkeypatch.setitem(app.config, "ABUSE_BURST_PER_DEVICE", 2)
    device = Resident(app, "10.0.0.9")
    rate_api(app, subject="LI-WATER", resident=device)
    rate_api(app, subject="LI-ROADS", resident=device)
    assert rate_api(app, subject="LI-LIGHT", resident=device) == "quarantined"
    later(monkeypatch, DEFAULTS["ABUSE_BURST_WINDOW_SECONDS"] + 1)
    assert rate_api(app, subject="LI-WASTE", resident=device) == "accepted"


def test_burst_counts_ratings_made_long_ago_as_outside_the_window(app, session, monkeypatch):
    monkeypatch.setitem(app.config, "ABUSE_BURST_PER_ADDRESS", 3)
    for _ in range(3):
        rate_api(app)
    long_ago = utcnow() - dt.timedelta(hours=2)
    for rating in ratings():
        rating.created_at = rating.updated_at = long_ago
    session.commit()
    assert rate_api(app) == "accepted"


def test_burst_through_the_form(app, monkeypatch):
    monkeypatch.setitem(app.config, "ABUSE_MIN_FILL_SECONDS", 0)
    monkeypatch.setitem(app.config, "ABUSE_BURST_PER_ADDRESS", 2)
    for _ in range(3):
        Resident(app, "10.1.1.1").rate(AK_BULUN, "LI-WATER", overall="5")
    assert [(r.status, r.quarantine_rule) for r in ratings()] == [
        ("accepted", None), ("accepted", None), ("quarantined", "burst_address")]


# --- quarantined: stored, never counted, always shown as a count ----------------------------------------

def test_a_quarantined_rating_is_stored_but_not_counted(app, monkeypatch):
    monkeypatch.setitem(app.config, "ABUSE_BURST_PER_ADDRESS", 2)
    for _ in range(5):
        rate_api(app, address="10.2.2.2")
    assert count() == 5
    summary = subject_summary(AK_BULUN, "LI-WATER", current_period())
    assert summary.n == 2
    assert summary.quarantined == 3
    assert summary.mean == 3
    assert count(Rating, Rating.status == "quarantined") == 3


# --- comments -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("comment, flags", [
    (None, ""),
    ("", ""),
    ("Суу жок, көчөлөр караңгы.", ""),
    ("Воду дают 2 раза в неделю с 8 до 10, уже 3 года.", ""),
    ("Смотрите https://example.com/photo", "link"),
    ("подробнее на www.akbulun.kg", "link"),
    ("сайт aiyl-okmotu.kg не работает", "link"),
    ("пишите ivan.petrov@mail.ru", "email"),
    ("звоните +996 555 123 456", "phone,masked"),
    ("звоните 0(555)12-34-56", "phone,masked"),
    ("0555123456 же https://t.me/x", "link,phone,masked"),
])
def test_comment_flags(comment, flags):
    found = comment_flags(comment)
    if flags == "email":
        assert "email" in found.split(",")
    else:
        assert found == flags


def test_a_comment_is_stored_pending_with_its_flags(app):
    resident = Resident(app)
    resident.api({"municipality": AK_BULUN, "subject": "LI-WATER", "overall": 2,
                  "comment": "Звоните мне: +996 700 111 222, пишите a.b@example.kg"})
    [rating] = ratings()
    assert rating.comment_status == "pending"
    assert {"phone", "email"} <= set(rating.comment_flags.split(","))
    assert rating.status == "accepted"  # flags are for the moderator; the score still counts


def test_a_rating_without_comment_has_no_comment_status(app):
    Resident(app).api({"municipality": AK_BULUN, "subject": "LI-WATER", "overall": 2})
    [rating] = ratings()
    assert rating.comment_status is None and rating.comment_flags == ""


# --- rate limits --------------------------------------------------------------------------------------

def limited_app(app, monkeypatch):
    """An app of its own with rate limits on. Its engine is not the test transaction's, so it is only sent
    requests that write nothing."""
    monkeypatch.setattr(limiter, "enabled", limiter.enabled)  # the limiter object is shared: restore it
    limited = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                          "SECRET_KEY": "x", "RATELIMIT_ENABLED": True, "RATING_RATE_LIMIT": "2 per minute",
                          "RATELIMIT_STORAGE_URI": "memory://"})
    return limited


def test_rate_limit_on_the_rating_api(app, monkeypatch):
    limited = limited_app(app, monkeypatch)
    client = limited.test_client()
    with limited.app_context():
        # Malformed JSON bodies: answered before anything is read or written.
        answers = [client.post("/api/v1/ratings?lang=ru", data="{", content_type="application/json")
                   for _ in range(3)]
        other = client.post("/api/v1/ratings", data="{", content_type="application/json",
                            environ_base={"REMOTE_ADDR": "10.9.9.9"})
    assert [a.status_code for a in answers] == [400, 400, 429]
    error = answers[2].get_json()["error"]
    assert error["code"] == "too_many_requests"
    assert error["message"] == "Слишком много запросов. Подождите немного и попробуйте снова."
    assert other.status_code == 400  # another address has its own allowance
    assert count() == 0


def test_rate_limit_on_the_rating_form(app, monkeypatch):
    limited = limited_app(app, monkeypatch)
    client = limited.test_client()
    url = f"/ru/m/{AK_BULUN}/rate/LI-WATER"
    with limited.app_context():
        token = csrf_token(client.get(url).text)  # showing the form only reads
        # No overall score: the form is shown again with its error; nothing is written.
        answers = [client.post(url, data={"csrf_token": token, "comment": "x"}) for _ in range(3)]
        shown = client.get(url)  # the limit is on sending, not on showing
        db.engine.dispose()
    assert [a.status_code for a in answers] == [400, 400, 429]
    assert "Слишком много запросов" in answers[2].get_data(as_text=True)
    assert shown.status_code == 200
    assert count() == 0


def test_turning_rate_limits_on_in_one_app_leaves_them_off_in_another(app, monkeypatch):
    """The session app has RATELIMIT_ENABLED False; building another app with limits on must not change that."""
    limited_app(app, monkeypatch)
    monkeypatch.setitem(app.config, "RATING_RATE_LIMIT", "1 per minute")
    resident = Resident(app, "10.8.8.8")
    answers = [resident.post("/api/v1/ratings", data="{", content_type="application/json") for _ in range(3)]
    assert [a.status_code for a in answers] == [400, 400, 400]

"""Stuffing: one address cannot publish a score; the form stamp is single-use, bound and expiring;
forged X-Forwarded-For does not help; rate limits are shared by every worker (Redis)."""
import time
import uuid

import pytest

from feedback import create_app
from feedback.ratings import abuse
from feedback.security import TrustedProxies, limiter
from tests.ratings.test_views import AK_BULUN, Resident, ratings

ROADS = "LI-ROADS"


def rate_api(app, address: str, overall: int = 1) -> str:
    response = Resident(app, address).api({"municipality": AK_BULUN, "subject": ROADS, "overall": overall})
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()["status"]


def roads(app) -> dict:
    card = Resident(app).get(f"/api/v1/municipalities/{AK_BULUN}/scorecard").get_json()
    return next(s for s in card["citizen"]["subjects"] if s["code"] == ROADS)


def test_one_address_cannot_publish_a_score(app, monkeypatch):
    """The attack of the issue: new cookies for every rating, all from one address, spread out so
    that no burst rule fires. n reaches 20, the score stays unpublished; real residents publish it."""
    monkeypatch.setitem(app.config, "ABUSE_BURST_PER_ADDRESS", 10**6)
    monkeypatch.setitem(app.config, "ABUSE_NEW_RESPONDENTS_PER_ADDRESS", 10**6)
    assert [rate_api(app, "10.6.6.6") for _ in range(20)] == ["accepted"] * 20
    stuffed = roads(app)
    assert stuffed["n"] == 20 and stuffed["published"] is False and stuffed["index"] is None
    for i in range(3):
        rate_api(app, f"10.7.0.{i}", overall=4)
    assert roads(app)["published"] is False  # 4 addresses: 5 distinct ones are needed (methodology)
    rate_api(app, "10.7.0.9", overall=4)
    assert roads(app)["published"] is True


def test_new_respondents_from_one_address_are_quarantined(app, monkeypatch):
    monkeypatch.setitem(app.config, "ABUSE_NEW_RESPONDENTS_PER_ADDRESS", 3)
    assert [rate_api(app, "10.8.8.8") for _ in range(4)] == ["accepted"] * 3 + ["quarantined"]
    assert ratings()[-1].quarantine_rule == "burst_new_respondents"
    assert rate_api(app, "10.8.8.9") == "accepted"  # another address


def _form_post(resident, hidden, **fields):
    return resident.post(f"/ru/m/{AK_BULUN}/rate/{ROADS}", data={**hidden, "overall": "4", **fields})


def _rules() -> list:
    return [r.quarantine_rule for r in ratings()]


def half_a_minute_later(monkeypatch):
    monkeypatch.setattr(abuse.time, "time", lambda real=time.time: real() + 30)


def test_the_stamp_is_good_for_one_submission(app, monkeypatch):
    person = Resident(app)
    hidden = person.form(AK_BULUN, ROADS)
    half_a_minute_later(monkeypatch)
    assert _form_post(person, hidden).status_code == 303
    assert _rules() == [None]
    assert _form_post(person, hidden, overall="2").status_code == 303  # the same stamp again
    assert _rules() == ["too_fast"]  # the replacement is caught


def test_the_stamp_is_bound_to_the_visitor(app, monkeypatch):
    first, second = Resident(app), Resident(app)
    stolen = first.form(AK_BULUN, ROADS)["started"]
    hidden = second.form(AK_BULUN, ROADS)
    half_a_minute_later(monkeypatch)
    assert _form_post(second, {**hidden, "started": stolen}).status_code == 303
    assert _rules() == ["too_fast"]


def test_the_stamp_expires(app, monkeypatch):
    person = Resident(app)
    hidden = person.form(AK_BULUN, ROADS)
    two_days = 2 * 24 * 3600
    monkeypatch.setattr(time, "time", lambda real=time.time: real() + two_days)
    assert _form_post(person, hidden).status_code == 303
    assert _rules() == ["too_fast"]


def test_a_corrected_form_keeps_its_time_with_a_fresh_stamp(app, monkeypatch):
    person = Resident(app)
    hidden = person.form(AK_BULUN, ROADS)
    half_a_minute_later(monkeypatch)
    refused = person.post(f"/ru/m/{AK_BULUN}/rate/{ROADS}", data={**hidden, "comment": "x"})  # no overall
    assert refused.status_code == 400
    from tests.ratings.test_views import started

    again = started(refused.text)
    assert again != hidden["started"]
    assert _form_post(person, {**hidden, "started": again}).status_code == 303
    assert ratings()[0].status == "accepted"


def _echo_address(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [environ["REMOTE_ADDR"].encode()]


@pytest.mark.parametrize("peer, forwarded, seen", [
    ("10.0.0.99", "1.2.3.4", "10.0.0.99"),  # straight to gunicorn: the header is ignored
    ("127.0.0.1", "6.6.6.6, 1.2.3.4", "1.2.3.4"),  # through our proxy: the address it saw
    ("127.0.0.1", None, "127.0.0.1"),
])
def test_forwarded_for_only_from_trusted_proxies(peer, forwarded, seen):
    from werkzeug.test import Client

    client = Client(TrustedProxies(_echo_address, 1, "127.0.0.1,::1"))
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    assert client.get("/", headers=headers, environ_base={"REMOTE_ADDR": peer}).get_data(as_text=True) == seen


def test_a_forged_forwarded_for_straight_to_the_app_is_ignored(app):
    proxied = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                          "SECRET_KEY": app.config["SECRET_KEY"], "PROXY_COUNT": 1, "RATELIMIT_ENABLED": False})
    assert isinstance(proxied.wsgi_app, TrustedProxies)
    from flask import request

    @proxied.get("/_test_address")
    def _address():
        return request.remote_addr

    client = proxied.test_client()
    for forged in ("1.1.1.1", "2.2.2.2"):
        with proxied.app_context():
            answer = client.get("/_test_address", headers={"X-Forwarded-For": forged},
                                environ_base={"REMOTE_ADDR": "10.0.0.5"})
        assert answer.get_data(as_text=True) == "10.0.0.5"


@pytest.fixture
def redis_url():
    redis = pytest.importorskip("redis")
    url = "redis://127.0.0.1:6379/13"
    try:
        redis.Redis.from_url(url).ping()
    except redis.exceptions.ConnectionError:
        pytest.fail("Redis is needed at 127.0.0.1:6379 (database 13) for the shared rate-limit test")
    return url


def test_rate_limits_are_shared_by_every_worker(app, monkeypatch, redis_url):
    """Two app instances (two workers or servers) with Redis: one allowance between them."""
    monkeypatch.setattr(limiter, "enabled", limiter.enabled)
    prefix = f"i13-test-{uuid.uuid4().hex}"
    workers = [create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                           "SECRET_KEY": "x", "RATELIMIT_ENABLED": True, "RATING_RATE_LIMIT": "3 per minute",
                           "RATELIMIT_STORAGE_URI": redis_url, "RATELIMIT_KEY_PREFIX": prefix})
               for _ in range(2)]
    codes = []
    for i in range(5):
        worker = workers[i % 2]
        with worker.app_context():
            codes.append(worker.test_client().post("/api/v1/ratings", data="{", content_type="application/json",
                                                   environ_base={"REMOTE_ADDR": "10.3.3.3"}).status_code)
    assert codes == [400, 400, 400, 429, 429]

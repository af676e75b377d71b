"""The front (feedback/front.py): a kept response's next identical request is answered before
Flask, after one statement has shown that what it rests on is unchanged; anything else reaches Flask."""
import time
import zlib

import pytest

from feedback import cache, front
from feedback.perf import HEADER
from feedback.ratings.services import current_period
from tests.scorecards.helpers import AK_BULUN, KARAKOL, rate, respondent

CARD = f"/api/v1/municipalities/{AK_BULUN}/scorecard"
PAGE = f"/ky/m/{AK_BULUN}/"
KEPT = (CARD, PAGE, f"/ru/m/{KARAKOL}/", "/api/v1/compare?level=region", "/ky/compare", "/ky/", "/ru/search?q=ak")


@pytest.fixture
def dispatched(app, monkeypatch):
    """The requests that reached Flask's dispatch (the path of each)."""
    from flask import request

    seen = []
    real = app.full_dispatch_request

    def counting():
        seen.append(request.full_path.rstrip("?"))
        return real()

    monkeypatch.setattr(app, "full_dispatch_request", counting)
    monkeypatch.setitem(app.config, "SQL_COUNT_HEADER", True)
    return seen


@pytest.fixture
def client(app):
    """A client that keeps no cookies (as a bench, or a first visit each time); a browser keeps the
    language cookie, which makes its own variant (see the test with cookies)."""
    return app.test_client(use_cookies=False)


def _get(client, url, **kwargs):
    response = client.get(url, **kwargs)
    assert response.status_code == 200, (url, response.status_code)
    return response


def test_the_second_identical_request_never_reaches_flask_and_gets_the_same_response(client, dispatched):
    for url in KEPT:
        dispatched.clear()
        first, second = _get(client, url), _get(client, url)
        assert dispatched == [url], url
        assert second.data == first.data, url
        assert int(second.headers[HEADER]) == 1  # the snapshot: one statement
        for name, value in first.headers.items():
            if name != HEADER:
                assert second.headers.get(name) == value, (url, name)


def test_a_rating_is_on_the_very_next_request(client, dispatched):
    n = _get(client, CARD).get_json()["citizen"]["n"]
    _get(client, CARD)
    rate(respondent(), AK_BULUN, "LI-WATER", 4, current_period())
    dispatched.clear()
    assert _get(client, CARD).get_json()["citizen"]["n"] == n + 1
    assert dispatched == [CARD]  # the copy no longer matched: Flask made the card again
    dispatched.clear()
    _get(client, CARD)
    assert dispatched == []  # and the new one is copied in its turn


def test_a_copy_is_not_served_past_the_instant_it_expires(client, dispatched, monkeypatch):
    _get(client, CARD)
    (identity, copy), = front.copies.items.items()
    monkeypatch.setattr(copy, "until", time.time() - 1)
    dispatched.clear()
    _get(client, CARD)
    assert dispatched == [CARD]


def test_each_variant_of_the_request_has_its_own_copy(client, dispatched):
    phone = {"Accept-Encoding": "gzip, deflate, br"}
    plain, br = _get(client, PAGE), _get(client, PAGE, headers=phone)
    gz = _get(client, PAGE, headers={"Accept-Encoding": "gzip"})
    assert br.headers["Content-Encoding"] == "br" and gz.headers["Content-Encoding"] == "gzip"
    assert "Content-Encoding" not in plain.headers
    dispatched.clear()
    assert _get(client, PAGE, headers=phone).data == br.data
    assert _get(client, PAGE, headers={"Accept-Encoding": "gzip"}).data == gz.data
    assert _get(client, PAGE).data == plain.data
    assert dispatched == []
    ru = _get(client, f"/ru/m/{AK_BULUN}/")
    assert 'lang="ru"' in ru.get_data(as_text=True) and dispatched == [f"/ru/m/{AK_BULUN}/"]


def test_signed_in_residents_with_cookies_and_unusual_requests_always_reach_flask(app, dispatched):
    from feedback.ratings.respondents import COOKIE

    client = app.test_client()  # a browser: it keeps the cookies it is given
    _get(client, PAGE)  # no cookie yet: given the language cookie
    _get(client, PAGE)  # with it: another variant
    dispatched.clear()
    _get(client, PAGE)
    assert dispatched == []
    client.set_cookie(app.config["SESSION_COOKIE_NAME"], "anything", domain="localhost")
    _get(client, PAGE)
    _get(client, PAGE)
    client.delete_cookie(app.config["SESSION_COOKIE_NAME"], domain="localhost")
    client.set_cookie(COOKIE, "a-token", domain="localhost")
    _get(client, PAGE)
    _get(client, PAGE)
    client.delete_cookie(COOKIE, domain="localhost")
    _get(client, PAGE, headers={"If-None-Match": '"x"'})
    _get(client, PAGE, headers={"If-None-Match": '"x"'})
    client.head(PAGE)
    client.head(PAGE)
    assert dispatched == [PAGE] * 8


def test_a_response_that_sets_another_cookie_is_not_copied(app, client, dispatched):
    def per_visitor(response):
        response.set_cookie("visitor", "someone")
        return response

    app.after_request_funcs.setdefault(None, []).insert(0, per_visitor)  # the app is set up already
    try:
        _get(client, CARD)
        _get(client, CARD)
        assert dispatched == [CARD, CARD] and not front.copies.items
    finally:
        app.after_request_funcs[None].remove(per_visitor)


def test_a_page_that_is_not_kept_is_never_copied(client, dispatched):
    for _ in range(2):
        _get(client, "/ky/open-data")
    assert dispatched == ["/ky/open-data"] * 2 and not front.copies.items


def test_the_copies_are_bounded_in_bytes(client, monkeypatch):
    monkeypatch.setattr(front.copies, "max_bytes", 1)
    _get(client, CARD)
    assert not front.copies.items and front.copies.size == 0
    assert cache.kept_store.items  # the view still kept its body


@pytest.mark.parametrize("url", [CARD, PAGE])
def test_a_kept_body_is_held_once_by_the_view_and_the_front(client, url):
    """The copy of a kept card holds the very bytes the view keeps (compressed once), not a second
    compressed copy of the same body."""
    first = _get(client, url)
    (copy,) = front.copies.items.values()
    (kept,) = [packed for packed, _ in cache.kept_store.items.values() if zlib.decompress(packed) == first.data]
    assert copy.body is kept
    cache.kept_store.clear()
    front.copies.clear()
    _get(client, url)  # made again: kept, and copied, under the same object
    (copy,) = front.copies.items.values()
    assert any(copy.body is packed for packed, _ in cache.kept_store.items.values())
    front.copies.clear()
    _get(client, url)  # found kept: copied under the kept object
    (copy,) = front.copies.items.values()
    assert any(copy.body is packed for packed, _ in cache.kept_store.items.values())


@pytest.mark.parametrize("url", [CARD, PAGE])
def test_a_kept_body_is_held_at_the_kept_level(client, url):
    """What a worker keeps of a page (and the front's copy of it) is compressed at cache.KEPT_LEVEL, not
    zlib's fastest level: a sixth less memory per page (worker RSS, issue 15); it inflates to the body."""
    body = _get(client, url).data
    (copy,) = front.copies.items.values()
    assert copy.body == zlib.compress(body, cache.KEPT_LEVEL) and zlib.decompress(copy.body) == body
    assert len(copy.body) < len(zlib.compress(body, 1))
    # a body the view did not keep is compressed by the front itself, at the same level
    assert front._Copy(None, None, None, "200 OK", [], body).body == zlib.compress(body, cache.KEPT_LEVEL)

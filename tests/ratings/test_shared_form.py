"""A first visitor's blank rating form is rendered once for every process (cache.shared): the worker
that renders it keeps it in Redis under the reference version and the release, and any other worker
or app server serves it from there instead of rendering it again. A write to the registry or the
catalog bumps the version, so no process serves a form from before it; a process running other code
never serves another release's form; without Redis each process renders its own."""
import os
import re

import pytest

from feedback import cache
from feedback.catalog.models import Subject
from feedback.ratings import views
from tests.ratings.test_views import AK_BULUN

FORM = f"/ru/m/{AK_BULUN}/rate/LI-WATER"


@pytest.fixture
def redis_url(app, monkeypatch):
    from redis import Redis

    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/14")
    connection = Redis.from_url(url)
    connection.flushdb()
    monkeypatch.setitem(app.config, "REDIS_URL", url)
    yield url
    connection.flushdb()


@pytest.fixture
def renders(monkeypatch):
    """The blank forms this process renders (code, subject), in order."""
    made = []
    render = views._blank_form

    def counted(code, subject):
        made.append((code, subject))
        return render(code, subject)

    monkeypatch.setattr(views, "_blank_form", counted)
    return made


def another_process():
    """What a fresh worker has: nothing in its own memory (Redis and the database are shared)."""
    cache.store.clear()


def without_tokens(html: str) -> str:
    return re.sub(r'(name="(?:csrf_token|started)" type="hidden" value=")[^"]+"', r'\1"', html)


def test_a_form_one_worker_rendered_is_served_by_another_from_redis(client, redis_url, renders):
    first = client.get(FORM)
    assert first.status_code == 200 and renders == [(AK_BULUN, "LI-WATER")]
    another_process()
    second = client.get(FORM)
    assert second.status_code == 200
    assert renders == [(AK_BULUN, "LI-WATER")]  # not rendered again
    assert without_tokens(second.get_data(as_text=True)) == without_tokens(first.get_data(as_text=True))
    assert second.get_data(as_text=True) != first.get_data(as_text=True)  # its own token and stamp


def test_a_catalog_change_is_on_the_next_form_of_every_worker(client, session, redis_url, renders):
    assert "Питьевая вода (новое название)" not in client.get(FORM).get_data(as_text=True)
    session.get(Subject, "LI-WATER").name_ru = "Питьевая вода (новое название)"
    session.flush()  # bumps the reference version in its transaction
    another_process()
    assert "Питьевая вода (новое название)" in client.get(FORM).get_data(as_text=True)
    assert len(renders) == 2
    another_process()
    assert "Питьевая вода (новое название)" in client.get(FORM).get_data(as_text=True)
    assert len(renders) == 2  # the new form is shared in turn


def test_a_form_is_not_served_to_an_app_server_running_another_release(client, redis_url, renders, monkeypatch):
    client.get(FORM)
    monkeypatch.setattr(cache, "_release", ["another release"])
    another_process()
    assert client.get(FORM).status_code == 200
    assert len(renders) == 2


def test_without_redis_each_process_renders_its_own(client, app, monkeypatch, renders):
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/0")  # nothing listens: errors
    assert client.get(FORM).status_code == 200
    assert client.get(FORM).status_code == 200
    assert len(renders) == 1  # kept in this process
    another_process()
    assert client.get(FORM).status_code == 200
    assert len(renders) == 2


def test_a_worker_keeps_a_blank_form_compressed(client, redis_url):
    """A worker keeps hundreds of forms (each campaign's): each in under a third of its page's bytes
    (17 KB of text: about 5 KB)."""
    page = client.get(FORM).get_data()
    assert 0 < cache.store.bytes < len(page) / 3


def test_no_value_kept_in_redis_is_shared_between_releases(monkeypatch):
    """Cards and comparisons (cache.kept) are named in Redis the same way as the forms."""
    key = ("page", "/ky/m/41702205805000/", "ky", 3, 7)
    monkeypatch.setattr(cache, "_release", ["one"])
    one = cache._shared_key(key)
    monkeypatch.setattr(cache, "_release", ["two"])
    assert cache._shared_key(key) != one


def test_a_form_is_not_served_to_an_app_server_of_another_database(client, app, redis_url, renders, monkeypatch):
    """Each database counts its versions on its own: staging beside production on one Redis (or the
    test runs of both engines) must not take each other's forms at the same version number."""
    client.get(FORM)
    monkeypatch.setitem(app.config, "SQLALCHEMY_DATABASE_URI", "postgresql://elsewhere/another")
    another_process()
    assert client.get(FORM).status_code == 200
    assert len(renders) == 2

"""Helpers for tests that sign in through the real pages."""
import pytest

from tests.conftest import csrf_token
from tests.helpers import fresh_get

PASSWORD = "a long test password 1"


@pytest.fixture(autouse=True)
def fast_hashing(app, monkeypatch):
    """argon2 at its lowest cost (the same as conftest's create_user), so tests stay fast."""
    monkeypatch.setitem(app.config, "ARGON2_TIME_COST", 1)
    monkeypatch.setitem(app.config, "ARGON2_MEMORY_COST", 8)
    monkeypatch.setitem(app.config, "ARGON2_PARALLELISM", 1)


def token(app, client, url="/ru/login") -> str:
    return csrf_token(fresh_get(app, client, url).get_data(as_text=True))


def post(app, client, url, data, token_from=None):
    data = dict(data)
    data.setdefault("csrf_token", token(app, client, token_from or url))
    with app.app_context():
        return client.post(url, data=data)


def login(app, client, email, password=PASSWORD, **extra):
    return post(app, client, "/ru/login", {"email": email, "password": password, **extra})


def logout(app, client, page="/ru/account"):
    return post(app, client, "/ru/logout", {}, token_from=page)

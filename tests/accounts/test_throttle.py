"""Sign-in throttling with growing delays (no lock anyone can trigger), the same answer whether or
not an e-mail exists, an absolute session lifetime, no-store on pages for signed-in people."""
import datetime as dt

import pytest

from feedback.accounts import sessions, throttle
from feedback.db import utcnow
from tests.accounts.util import PASSWORD
from tests.helpers import fresh_get

SLOW = "Слишком много неудачных попыток"


def attempt(app, client, email, password, address="127.0.0.1"):
    from tests.accounts.util import token

    with app.app_context():
        return client.post("/ru/login", data={"csrf_token": token(app, client), "email": email, "password": password},
                           environ_base={"REMOTE_ADDR": address})


def later(monkeypatch, seconds):
    moved = utcnow() + dt.timedelta(seconds=seconds)
    monkeypatch.setattr(throttle, "utcnow", lambda: moved)


def test_delays_grow_and_pass(app, client, create_user, monkeypatch):
    user = create_user("moderator")
    for _ in range(3):
        assert SLOW not in attempt(app, client, user.email, "wrong password!!").get_data(as_text=True)
    assert SLOW in attempt(app, client, user.email, PASSWORD).get_data(as_text=True)
    assert throttle.delay(3, "pair") == 1 and throttle.delay(4, "pair") == 2 and throttle.delay(30, "pair") == 15 * 60
    later(monkeypatch, 2)
    assert attempt(app, client, user.email, PASSWORD).status_code == 303  # the wait is over: signed in


def test_the_same_answer_whether_or_not_the_email_exists(app, client, create_user):
    user = create_user("moderator")
    answers = {}
    for email in (user.email, "nobody-here@example.kg"):
        pages = [attempt(app, client, email, "wrong password!!", address="10.1.1.1") for _ in range(4)]
        answers[email] = [(p.status_code, SLOW in p.get_data(as_text=True)) for p in pages]
    assert answers[user.email] == answers["nobody-here@example.kg"] == [(400, False)] * 3 + [(400, True)]


def test_someone_elsewhere_cannot_keep_the_owner_out(app, client, create_user, monkeypatch):
    """An attacker failing again and again from elsewhere (waiting out every delay): the owner, from
    their own address, waits at most the account's cap (a minute), never a lock."""
    user = create_user("moderator")
    clock = [utcnow()]
    monkeypatch.setattr(throttle, "utcnow", lambda: clock[0])
    for _ in range(25):
        clock[0] += dt.timedelta(minutes=16)
        assert SLOW not in attempt(app, client, user.email, "wrong password!!", address="10.66.0.1").get_data(as_text=True)
    with app.test_request_context("/", environ_base={"REMOTE_ADDR": "10.2.2.2"}):
        assert 0 < throttle.wait_seconds(user.email) <= 61
        assert throttle.delay(25, "account") == 60
    assert user.locked_until is None


def test_one_address_trying_many_accounts_slows_down(app, client):
    for i in range(20):
        attempt(app, client, f"guess{i}@example.kg", "wrong password!!", address="10.5.5.5")
    assert SLOW in attempt(app, client, "another@example.kg", "x" * 12, address="10.5.5.5").get_data(as_text=True)
    assert SLOW not in attempt(app, client, "another@example.kg", "x" * 12, address="10.5.5.6").get_data(as_text=True)


def test_absolute_session_lifetime(app, client, create_user, sign_in, session, monkeypatch):
    user = create_user("moderator")
    sign_in(client, user)
    assert fresh_get(app, client, "/ru/account").status_code == 200
    row = session.scalars(sessions.select(sessions.UserSession).where(sessions.UserSession.user_id == user.id)).one()
    # Active all along (seen a minute ago), but signed in longer ago than the absolute lifetime.
    row.created_at = utcnow() - sessions.ABSOLUTE_LIFETIME - dt.timedelta(minutes=1)
    row.last_seen_at = utcnow() - dt.timedelta(minutes=1)
    session.flush()
    assert fresh_get(app, client, "/ru/account").status_code == 302


def test_session_touch_is_not_committed_mid_request(app, client, create_user, sign_in, session, monkeypatch):
    """The loader only schedules the touch; it is written after the request's own commit."""
    user = create_user("moderator")
    sign_in(client, user)
    row = session.scalars(sessions.select(sessions.UserSession).where(sessions.UserSession.user_id == user.id)).one()
    row.last_seen_at = utcnow() - dt.timedelta(hours=1)
    session.flush()
    commits = []
    monkeypatch.setattr(sessions, "_touch", lambda *a: commits.append(a))
    assert fresh_get(app, client, "/ru/account").status_code == 200
    assert len(commits) == 1


@pytest.mark.parametrize("url", ["/ru/account", "/ru/moderation/"])
def test_no_store_on_pages_for_signed_in_people(app, client, create_user, sign_in, url):
    sign_in(client, create_user("moderator"))
    response = fresh_get(app, client, url)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"


def test_public_pages_stay_cacheable_for_visitors(app, client):
    assert fresh_get(app, client, "/ru/").headers.get("Cache-Control") != "no-store"

"""Signing in and out, server-side sessions, throttling, the second factor, cookie flags."""
import logging
import time

import pyotp
import pytest
from sqlalchemy import select

from feedback.accounts.models import UserSession
from tests.accounts.util import PASSWORD, login, logout, post
from tests.helpers import fresh_get


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_login_page_in_both_languages(app, client, lang):
    response = fresh_get(app, client, f"/{lang}/login")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'type="password"' in html and 'for="email"' in html and 'for="password"' in html
    assert ("Кирүү" if lang == "ky" else "Войти") in html


def test_sign_in_and_out_really_ends_the_session(app, client, create_user, session):
    user = create_user("lsg_staff", municipality_code="41702205805000")
    response = login(app, client, user.email.upper())
    assert response.status_code == 303
    assert fresh_get(app, client, "/ru/account").status_code == 200
    stolen = client.get_cookie("session").value

    response = logout(app, client)
    assert response.status_code == 303
    assert fresh_get(app, client, "/ru/account").status_code == 302
    row = session.scalars(select(UserSession).where(UserSession.user_id == user.id)).one()
    assert row.ended_at is not None

    # Someone who kept a copy of the old cookie gets nothing from it.
    other = app.test_client()
    other.set_cookie("session", stolen, domain="localhost")
    response = fresh_get(app, other, "/ru/account")
    assert response.status_code == 302 and "/ru/login" in response.headers["Location"]


def test_logout_needs_post_and_a_csrf_token(app, client, create_user, sign_in):
    sign_in(client, create_user("monitor", region_code="41702000000000"))
    assert fresh_get(app, client, "/ru/logout").status_code == 405
    with app.app_context():
        assert client.post("/ru/logout").status_code == 400
    assert fresh_get(app, client, "/ru/account").status_code == 200


def test_wrong_password_is_refused_without_saying_which_part(app, client, create_user):
    user = create_user("moderator")
    response = login(app, client, user.email, "a wrong password here")
    assert response.status_code == 400
    unknown = login(app, client, "nobody@example.kg", "a wrong password here")
    assert unknown.status_code == 400
    message = "Неверный адрес электронной почты или пароль."
    assert message in response.get_data(as_text=True) and message in unknown.get_data(as_text=True)
    assert fresh_get(app, client, "/ru/account").status_code == 302


def test_failed_logins_slow_down_instead_of_locking(app, client, create_user, session):
    user = create_user("moderator")
    for _ in range(3):
        assert login(app, client, user.email, "not the password!!").status_code == 400
    response = login(app, client, user.email, PASSWORD)  # even the right password waits a moment
    assert response.status_code == 400
    assert "Слишком много неудачных попыток" in response.get_data(as_text=True)
    session.refresh(user)
    assert user.locked_until is None
    assert fresh_get(app, client, "/ru/account").status_code == 302


def test_disabled_user_loses_the_session_at_once(app, client, create_user, sign_in, session):
    user = create_user("lsg_staff", municipality_code="41702205805000")
    sign_in(client, user)
    assert fresh_get(app, client, "/ru/account").status_code == 200
    user.active = False
    session.flush()
    assert fresh_get(app, client, "/ru/account").status_code == 302
    assert login(app, client, user.email).status_code == 400


@pytest.mark.parametrize("role, scope", [
    ("admin", {}), ("state_evaluator", {"agency_code": None}), ("analyst", {}),
])
def test_second_factor_is_required(app, client, create_user, session, role, scope):
    if "agency_code" in scope:
        from feedback.catalog.models import Agency

        scope = {"agency_code": session.scalars(select(Agency.code)).first()}
    user = create_user(role, **scope)
    response = login(app, client, user.email)
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/ru/account/totp")
    # Nothing else is reachable before enrolling.
    for url in ("/ru/admin/", "/ru/account", "/ru/"):
        response = fresh_get(app, client, url)
        assert response.status_code == 302 and response.headers["Location"].endswith("/ru/account/totp"), url
    page = fresh_get(app, client, "/ru/account/totp")
    assert page.status_code == 200 and "<svg" in page.get_data(as_text=True)
    session.refresh(user)
    secret = user.totp_secret
    assert secret and not user.totp_enabled
    assert post(app, client, "/ru/account/totp", {"code": "000000"}).status_code in (400, 303)
    enrol_code = pyotp.TOTP(secret).now()
    response = post(app, client, "/ru/account/totp", {"code": enrol_code})
    assert response.status_code == 303
    session.refresh(user)
    assert user.totp_enabled
    assert fresh_get(app, client, "/ru/account").status_code == 200
    if role == "admin":
        assert response.headers["Location"].endswith("/ru/admin/")
        assert fresh_get(app, client, "/ru/admin/").status_code == 200

    # The next sign-in asks for the code; until it is given, the user is not signed in.
    logout(app, client)
    response = login(app, client, user.email)
    assert response.status_code == 303 and "/ru/login/code" in response.headers["Location"]
    assert fresh_get(app, client, "/ru/account").status_code == 302
    assert post(app, client, "/ru/login/code", {"code": "12345"}).status_code == 400
    # The code used to enrol is spent: replaying it fails; the next step's code is accepted.
    assert post(app, client, "/ru/login/code", {"code": enrol_code}).status_code == 400
    response = post(app, client, "/ru/login/code", {"code": next_code(secret)})
    assert response.status_code == 303
    assert fresh_get(app, client, "/ru/account").status_code == 200


def next_code(secret: str) -> str:
    """The code of the next 30-second step (accepted within the one-step drift allowed)."""
    totp = pyotp.TOTP(secret)
    return totp.at(time.time() + totp.interval)


def test_optional_second_factor_for_other_roles(app, client, create_user, sign_in, session):
    user = create_user("lsg_staff", municipality_code="41702205805000")
    sign_in(client, user)
    assert "/ru/account/totp" in fresh_get(app, client, "/ru/account").get_data(as_text=True)
    assert fresh_get(app, client, "/ru/account/totp").status_code == 200
    session.refresh(user)
    totp = pyotp.TOTP(user.totp_secret)
    assert post(app, client, "/ru/account/totp", {"code": totp.now()}).status_code == 303
    session.refresh(user)
    assert user.totp_enabled
    response = post(app, client, "/ru/account/totp/disable", {"code": next_code(user.totp_secret)}, token_from="/ru/account")
    assert response.status_code == 303
    session.refresh(user)
    assert not user.totp_enabled and user.totp_secret is None


def test_wrong_codes_count_toward_the_throttle(app, client, create_user, session):
    user = create_user("admin", totp_secret=pyotp.random_base32(), totp_enabled=True)
    login(app, client, user.email)
    answers = [post(app, client, "/ru/login/code", {"code": "000000"}) for _ in range(4)]
    assert "Слишком много неудачных попыток" in answers[-1].get_data(as_text=True)
    session.refresh(user)
    assert user.locked_until is None


def test_role_home_after_sign_in(app, client, create_user):
    user = create_user("monitor", region_code="41702000000000")
    response = login(app, client, user.email)
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/ru/monitor/")  # the monitor's home: municipalities, due items


def test_next_goes_only_to_this_site(app, client, create_user):
    user = create_user("monitor", region_code="41702000000000")
    response = login(app, client, user.email, next="//evil.example/x")
    assert response.headers["Location"].endswith("/ru/monitor/")
    logout(app, client)
    response = login(app, client, user.email, next="/ru/account")
    assert response.headers["Location"].endswith("/ru/account")


def test_password_never_logged(app, client, create_user, caplog):
    user = create_user("moderator")
    with caplog.at_level(logging.DEBUG):
        login(app, client, user.email, "secret-wrong-password-xyz")
        login(app, client, user.email)
    assert "secret-wrong-password-xyz" not in caplog.text
    assert PASSWORD not in caplog.text


def test_session_cookie_flags(app, client):
    response = fresh_get(app, client, "/ru/login")
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_session_cookie_secure_in_production(monkeypatch):
    from feedback import create_app
    from tests.test_config_production import production_env

    production_env(monkeypatch)
    prod = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SERVER_NAME": "localhost",
                       "RATELIMIT_STORAGE_URI": "memory://", "SINGLE_PROCESS": True})
    assert prod.config["SESSION_COOKIE_SECURE"] is True
    assert prod.config["SESSION_COOKIE_HTTPONLY"] is True and prod.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    https = prod.test_client()
    cookie = https.get("/ru/login", base_url="https://localhost").headers.get("Set-Cookie", "")
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_login_posts_are_rate_limited(app, client, monkeypatch):
    from feedback.security import limiter

    monkeypatch.setitem(app.config, "RATELIMIT_ENABLED", True)
    monkeypatch.setitem(app.config, "ACCOUNTS_LOGIN_RATE_LIMIT", "2 per minute")
    try:
        statuses = [login(app, client, "nobody@example.kg", "a wrong password here").status_code for _ in range(3)]
    finally:
        limiter.reset()
    assert statuses == [400, 400, 429]


def test_a_new_secret_key_ends_cookies_signed_with_the_old(app, client, create_user, sign_in):
    """The session serializer is kept between requests (accounts/sessions.py); it is kept per secret
    key, so rotating the key (without a fallback) still invalidates every signed cookie at once."""
    sign_in(client, create_user("lsg_staff", municipality_code="41702205805000"))
    assert fresh_get(app, client, "/ru/account").status_code == 200
    old = app.secret_key
    app.secret_key = old + "-rotated"
    try:
        assert fresh_get(app, client, "/ru/account").status_code in (302, 303)
        app.config["SECRET_KEY_FALLBACKS"] = [old]
        assert fresh_get(app, client, "/ru/account").status_code == 200
    finally:
        app.secret_key = old
        app.config["SECRET_KEY_FALLBACKS"] = []


def test_a_visitor_without_a_cookie_gets_none_and_a_forged_cookie_signs_nobody_in(app, client):
    assert fresh_get(app, client, "/ru/").status_code == 200
    assert client.get_cookie("session") is None
    client.set_cookie("session", "eyJzaWQiOiJmb3JnZWQifQ.forged.signature")
    assert fresh_get(app, client, "/ru/account").status_code in (302, 303)

"""Production configuration is checked at start; each refusal names the variable and what to set."""
import secrets

import pytest

from feedback import create_app
from feedback.config import ConfigurationError

SQLITE = {"SQLALCHEMY_DATABASE_URI": "sqlite://"}


def production_env(monkeypatch) -> None:
    """A complete, valid production environment (each test then breaks one thing)."""
    import os

    for name in list(os.environ):
        if name.startswith("FEEDBACK_") or name in ("DATABASE_URL", "SECRET_KEY", "REDIS_URL"):
            monkeypatch.delenv(name)
    for name, value in {
        "FEEDBACK_ENV": "production",
        "SECRET_KEY": secrets.token_hex(32),
        "FEEDBACK_PERSONAL_DATA_KEY": secrets.token_hex(32),
        "FEEDBACK_AUDIT_KEY": secrets.token_hex(32),
        "FEEDBACK_PUBLIC_URL": "https://feedback.example.kg",
        "FEEDBACK_SMS_BACKEND": "http",
        "FEEDBACK_SMS_GATEWAY_URL": "https://sms.example.kg/send",
        "REDIS_URL": "redis://127.0.0.1:6379/13",
    }.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def prod(monkeypatch):
    production_env(monkeypatch)
    return monkeypatch


def refusal(prod) -> str:
    with pytest.raises(ConfigurationError) as info:
        create_app(SQLITE)
    return str(info.value)


def test_complete_production_environment_starts(prod):
    app = create_app(SQLITE)
    assert app.config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/13"
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert len({app.config["SECRET_KEY"], app.config["AUDIT_KEY"], app.config["PERSONAL_DATA_KEY"]}) == 3


@pytest.mark.parametrize("value", ["x", "short-but-not-32", "a" * 64, "changeme"])
def test_weak_secret_key_refused(prod, value):
    prod.setenv("SECRET_KEY", value)
    message = refusal(prod)
    assert "SECRET_KEY must be at least 32 random bytes" in message and "token_hex(32)" in message


@pytest.mark.parametrize("env", ["FEEDBACK_PERSONAL_DATA_KEY", "FEEDBACK_AUDIT_KEY"])
def test_separate_keys_required(prod, env):
    prod.delenv(env)
    assert f"{env} must be set in production" in refusal(prod)


@pytest.mark.parametrize("env", ["FEEDBACK_PERSONAL_DATA_KEY", "FEEDBACK_AUDIT_KEY"])
def test_separate_key_must_differ_from_secret_key(prod, env):
    import os

    prod.setenv(env, os.environ["SECRET_KEY"])
    assert f"{env} must differ from SECRET_KEY" in refusal(prod)


def test_public_url_required(prod):
    prod.delenv("FEEDBACK_PUBLIC_URL")
    assert "FEEDBACK_PUBLIC_URL must be set" in refusal(prod)


def test_log_sms_backend_refused(prod):
    prod.setenv("FEEDBACK_SMS_BACKEND", "log")
    assert "FEEDBACK_SMS_BACKEND=http" in refusal(prod)


def test_http_sms_backend_needs_gateway(prod):
    prod.delenv("FEEDBACK_SMS_GATEWAY_URL")
    assert "FEEDBACK_SMS_GATEWAY_URL" in refusal(prod)


def test_shared_rate_limit_storage_required(prod):
    prod.delenv("REDIS_URL")
    message = refusal(prod)
    assert "REDIS_URL must be set" in message and "FEEDBACK_SINGLE_PROCESS=true" in message
    assert "flask channels worker" in message  # Redis queues outgoing SMS: a worker must run


def test_single_process_may_keep_limits_in_memory(prod):
    prod.delenv("REDIS_URL")
    prod.setenv("FEEDBACK_SINGLE_PROCESS", "true")
    assert create_app(SQLITE).config["RATELIMIT_STORAGE_URI"] == "memory://"


def test_poster_url_ignores_a_forged_host(prod, tmp_path):
    """The QR code and printed address come from PUBLIC_URL, never from the Host header."""
    from feedback.ratings.poster_views import public_url

    app = create_app(SQLITE)
    with app.test_request_context("/ky/m/1/poster", headers={"Host": "evil.example"}):
        assert public_url("/ky/m/1/rate") == "https://feedback.example.kg/ky/m/1/rate"


def test_a_weak_rapidpro_token_is_refused(prod):
    prod.setenv("FEEDBACK_RAPIDPRO_TOKEN", "12345")
    assert "FEEDBACK_RAPIDPRO_TOKEN" in refusal(prod)
    prod.setenv("FEEDBACK_RAPIDPRO_TOKEN", secrets.token_hex(32))
    assert create_app(SQLITE).config["RAPIDPRO_TOKEN"]

"""Configuration: safe defaults for development, everything else from the environment.

Read only inside the factory, never at import time.
"""
import os
import secrets
from pathlib import Path

from flask import Flask


class ConfigurationError(RuntimeError):
    """The environment does not allow the application to start safely."""


DEFAULTS = {
    "LANGUAGES": ("ky", "ru"),
    "BABEL_DEFAULT_LOCALE": "ky",
    "BABEL_DEFAULT_TIMEZONE": "Asia/Bishkek",
    "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).resolve().parent.parent / "translations"),
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    # Flask-WTF: tokens live as long as the session; a resident may keep a form open a long time.
    "WTF_CSRF_TIME_LIMIT": None,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "RATELIMIT_ENABLED": True,
    "RATELIMIT_HEADERS_ENABLED": True,
    "SEND_FILE_MAX_AGE_DEFAULT": 7 * 24 * 3600,
    # Evidence files may be 5 MB; leave room for the rest of the form so that the field says "too big".
    "MAX_CONTENT_LENGTH": 6 * 1024 * 1024,
    "SEARCH_RESULTS_LIMIT": 20,
    "API_PAGE_SIZE_MAX": 500,
}


def configure(app: Flask, overrides: dict | None = None) -> None:
    app.config.update(DEFAULTS)
    app.config["ENV_NAME"] = os.environ.get("FEEDBACK_ENV", "development")
    app.config.from_prefixed_env("FEEDBACK")
    database_url = os.environ.get("DATABASE_URL")
    if database_url:
        app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(database_url)
    if os.environ.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
    if os.environ.get("REDIS_URL"):
        app.config["REDIS_URL"] = os.environ["REDIS_URL"]
    app.config.update(overrides or {})

    app.config.setdefault(
        "SQLALCHEMY_DATABASE_URI",
        "sqlite:///" + str(Path(app.instance_path) / "feedback.sqlite3"),
    )
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    relaxed = app.config["ENV_NAME"] in ("development", "testing") or app.config.get("TESTING")
    if not app.config.get("SECRET_KEY"):
        if not relaxed:
            raise ConfigurationError("SECRET_KEY must be set outside development and testing")
        app.config["SECRET_KEY"] = secrets.token_hex(32)
    if not relaxed and app.config["SECRET_KEY"] in ("dev", "secret", "changeme"):
        raise ConfigurationError("SECRET_KEY is a well-known placeholder")
    explicit = "SESSION_COOKIE_SECURE" in (overrides or {}) or "FEEDBACK_SESSION_COOKIE_SECURE" in os.environ
    if not relaxed and not explicit:
        # Production is served over HTTPS: the session cookie never travels in clear.
        app.config["SESSION_COOKIE_SECURE"] = True
    # Rate-limit counters: shared in Redis when there is one, else per process.
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or "memory://")


def normalise_database_url(url: str) -> str:
    """Accept the common ``postgres://`` and ``postgresql://`` forms and use psycopg 3."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url

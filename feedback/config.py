"""Configuration: safe defaults for development, everything else from the environment.

Read only inside the factory, never at import time.
"""
import hashlib
import hmac
import os
import secrets
from pathlib import Path

from flask import Flask
from sqlalchemy.engine import make_url


class ConfigurationError(RuntimeError):
    """The environment does not allow the application to start safely."""


DEFAULTS = {
    "LANGUAGES": ("ky", "ru"),
    "BABEL_DEFAULT_LOCALE": "ky",
    "BABEL_DEFAULT_TIMEZONE": "Asia/Bishkek",
    "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).resolve().parent.parent / "translations"),
    # hide_parameters: a failed statement's values (a comment, a respondent token) never reach a log.
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "hide_parameters": True},
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
    # PostgreSQL: a transaction left idle longer than this is ended by the server (0: never); see
    # postgres_connect_args.
    "PG_IDLE_IN_TRANSACTION_SECONDS": 30,
    # A stale shared scorecard context (scorecards/context.py) computed less than this many seconds
    # ago is used as it is: under a stream of ratings it is recomputed, and every kept card made
    # again, at most once per interval (a municipality's own numbers still change at once).
    # FEEDBACK_SCORECARD_CONTEXT_MIN_SECONDS; 0: recomputed on the first request after any rating.
    "SCORECARD_CONTEXT_MIN_SECONDS": 10,
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
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        options = dict(app.config["SQLALCHEMY_ENGINE_OPTIONS"])
        given = dict(options.get("connect_args", {}))
        ours = postgres_connect_args(app.config, command=_in_command())
        # Server settings already asked for (the URL's ?options=, connect_args) are kept beside ours:
        # connect_args would otherwise replace the URL's.
        url_options = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).query.get("options", "")
        ours["options"] = " ".join(filter(None, (ours["options"], url_options, given.pop("options", ""))))
        options["connect_args"] = {**ours, **given}
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options

    # Rate-limit counters: shared in Redis when there is one, else per process.
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or "memory://")
    relaxed = app.config["ENV_NAME"] in ("development", "testing") or app.config.get("TESTING")
    if not app.config.get("SECRET_KEY"):
        if not relaxed:
            raise ConfigurationError("SECRET_KEY must be set outside development and testing: " + KEY_HINT)
        app.config["SECRET_KEY"] = secrets.token_hex(32)
        app.config.setdefault("AUDIT_KEY", DEVELOPMENT_AUDIT_KEY)
    _derive_keys(app.config)
    if not relaxed:
        check_production(app.config)
    explicit = "SESSION_COOKIE_SECURE" in (overrides or {}) or "FEEDBACK_SESSION_COOKIE_SECURE" in os.environ
    if not relaxed and not explicit:
        # Production is served over HTTPS: the session cookie never travels in clear.
        app.config["SESSION_COOKIE_SECURE"] = True


KEY_HINT = "set it to the output of `python3 -c 'import secrets; print(secrets.token_hex(32))'`"
# Development only: a chain written without a SECRET_KEY still verifies after a restart.
DEVELOPMENT_AUDIT_KEY = "development audit key: never used in production"
SECRETS = ("SECRET_KEY", "PERSONAL_DATA_KEY", "AUDIT_KEY")


def _derive_keys(config) -> None:
    """Development defaults for the separate keys, derived from SECRET_KEY under their own labels
    (so that neither reveals the other); production must set each of them (``check_production``)."""
    for name in SECRETS + ("PUBLIC_URL", "SMS_BACKEND", "RAPIDPRO_TOKEN"):
        if isinstance(config.get(name), int | float):  # from_prefixed_env parses digits as a number
            config[name] = str(config[name])
    for name, label in (("AUDIT_KEY", "audit"), ("PERSONAL_DATA_KEY", "personal-data")):
        if not config.get(name):
            config[name] = hmac.new(config["SECRET_KEY"].encode(), label.encode(), hashlib.sha256).hexdigest()
            config[name + "_DERIVED"] = True


def _random_enough(key: str) -> bool:
    # A key of 32 random bytes, written as hex or base64, has at least 32 characters, many of them distinct.
    return len(key.encode()) >= 32 and len(set(key)) >= 12 and key not in WEAK_KEYS


WEAK_KEYS = ("dev", "secret", "changeme")


def check_production(config) -> None:
    """Refuse to start unsafely; every refusal names the variable and what to set."""
    problems = []
    if not _random_enough(config["SECRET_KEY"]):
        problems.append("SECRET_KEY must be at least 32 random bytes: " + KEY_HINT)
    for name, env in (("PERSONAL_DATA_KEY", "FEEDBACK_PERSONAL_DATA_KEY"), ("AUDIT_KEY", "FEEDBACK_AUDIT_KEY")):
        if config.get(name + "_DERIVED"):
            problems.append(f"{env} must be set in production (a key of its own, not SECRET_KEY): " + KEY_HINT)
        elif not _random_enough(config[name]):
            problems.append(f"{env} must be at least 32 random bytes: " + KEY_HINT)
        elif config[name] == config["SECRET_KEY"]:
            problems.append(f"{env} must differ from SECRET_KEY: " + KEY_HINT)
    public_url = str(config.get("PUBLIC_URL") or "")
    if not public_url.startswith(("https://", "http://")):
        problems.append("FEEDBACK_PUBLIC_URL must be set to the site's public address, e.g. https://feedback.example.kg "
                        "(posters and SMS never trust the Host header)")
    backend = config.get("SMS_BACKEND") or "log"
    if backend == "log":
        problems.append("FEEDBACK_SMS_BACKEND=log only writes codes to a log: set FEEDBACK_SMS_BACKEND=http "
                        "with FEEDBACK_SMS_GATEWAY_URL (and FEEDBACK_SMS_GATEWAY_TOKEN)")
    elif backend == "http" and not config.get("SMS_GATEWAY_URL"):
        problems.append("FEEDBACK_SMS_BACKEND=http needs FEEDBACK_SMS_GATEWAY_URL")
    rapidpro = str(config.get("RAPIDPRO_TOKEN") or "")
    if rapidpro and not _random_enough(rapidpro):
        problems.append("FEEDBACK_RAPIDPRO_TOKEN, when set, must be at least 32 random bytes "
                        "(anyone who guesses it can post ratings as any phone): " + KEY_HINT)
    storage = str(config.get("RATELIMIT_STORAGE_URI") or "")
    single = str(config.get("SINGLE_PROCESS", "")).lower() in ("1", "true", "yes")
    if (not storage or storage.startswith("memory")) and not single:
        problems.append("REDIS_URL must be set so that every worker and server shares the rate limits "
                        "and queues outgoing SMS (e.g. REDIS_URL=redis://127.0.0.1:6379/0, with "
                        "'flask channels worker' running: deploy/systemd/feedback-worker.service), "
                        "or FEEDBACK_SINGLE_PROCESS=true when exactly one process serves the site")
    if problems:
        raise ConfigurationError("; ".join(problems))


# Client side (libpq): give up connecting after 5 s; probe an idle connection after 10 s; drop a
# connection whose sent data is not acknowledged within 20 s. A request then fails with 503 and
# Retry-After instead of holding its worker thread while the network is gone.
PG_CLIENT = {"connect_timeout": 5, "keepalives": 1, "keepalives_idle": 10, "keepalives_interval": 5,
             "keepalives_count": 3, "tcp_user_timeout": 20000}
# Server side (set per connection): the server probes a silent client the same way, and ends a
# transaction left idle, so that an app server that vanished mid-request (killed, cut off) does not
# keep its row locks (the period counter every rating updates) for the hours the kernel's defaults
# would take to notice.
PG_SERVER = ("tcp_keepalives_idle=10", "tcp_keepalives_interval=5", "tcp_keepalives_count=3")


def postgres_connect_args(config, command: bool = False) -> dict:
    """libpq connection parameters for the app's PostgreSQL connections (PG_CLIENT, PG_SERVER).

    A request never waits inside a transaction for anything but the database; a command (a
    migration, the demo seed, a rebuild) may compute in Python for long inside one, so commands get
    no idle-transaction limit."""
    server = [f"-c {setting}" for setting in PG_SERVER]
    idle = 0 if command else int(config.get("PG_IDLE_IN_TRANSACTION_SECONDS") or 0)
    if idle > 0:
        server.append(f"-c idle_in_transaction_session_timeout={idle}s")
    return {**PG_CLIENT, "options": " ".join(server)}


def _in_command() -> bool:
    """The app is being made for a ``flask`` command (a click context is active), not for serving."""
    import click

    return click.get_current_context(silent=True) is not None


def normalise_database_url(url: str) -> str:
    """Accept the common ``postgres://`` and ``postgresql://`` forms and use psycopg 3."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url

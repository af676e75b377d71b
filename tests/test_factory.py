"""The application factory and its configuration (PRODUCT.md, "Configuration")."""
import os
from pathlib import Path

import pytest

from feedback import create_app
from feedback.config import ConfigurationError, normalise_database_url
from tests.test_config_production import production_env


@pytest.fixture
def clean_env(monkeypatch):
    """No configuration from the environment the tests happen to run in."""
    for name in list(os.environ):
        if name.startswith("FEEDBACK_") or name in ("DATABASE_URL", "SECRET_KEY", "REDIS_URL"):
            monkeypatch.delenv(name)
    return monkeypatch


SQLITE = {"SQLALCHEMY_DATABASE_URI": "sqlite://"}


def test_overrides_are_applied(clean_env):
    app = create_app({**SQLITE, "SEARCH_RESULTS_LIMIT": 3, "SOMETHING_NEW": "x"})
    assert app.config["SEARCH_RESULTS_LIMIT"] == 3
    assert app.config["SOMETHING_NEW"] == "x"


def test_overrides_win_over_the_environment(clean_env):
    clean_env.setenv("FEEDBACK_SEARCH_RESULTS_LIMIT", "5")
    app = create_app({**SQLITE, "SEARCH_RESULTS_LIMIT": 7})
    assert app.config["SEARCH_RESULTS_LIMIT"] == 7


def test_testing_config(app):
    assert app.testing is True
    assert app.config["TESTING"] is True
    assert app.config["RATELIMIT_ENABLED"] is False


def test_defaults(clean_env):
    app = create_app(SQLITE)
    assert app.testing is False
    assert app.config["ENV_NAME"] == "development"
    assert app.config["LANGUAGES"] == ("ky", "ru")
    assert app.config["BABEL_DEFAULT_LOCALE"] == "ky"
    assert app.config["RATELIMIT_ENABLED"] is True
    assert app.config["SEARCH_RESULTS_LIMIT"] == 20
    # Development without a SECRET_KEY gets a random one, different for every app.
    assert len(app.config["SECRET_KEY"]) >= 32
    assert create_app(SQLITE).config["SECRET_KEY"] != app.config["SECRET_KEY"]


def test_secret_key_required_in_production(clean_env):
    clean_env.setenv("FEEDBACK_ENV", "production")
    with pytest.raises(ConfigurationError):
        create_app(SQLITE)


@pytest.mark.parametrize("placeholder", ["dev", "secret", "changeme"])
def test_placeholder_secret_key_refused_in_production(clean_env, placeholder):
    clean_env.setenv("FEEDBACK_ENV", "production")
    clean_env.setenv("SECRET_KEY", placeholder)
    with pytest.raises(ConfigurationError):
        create_app(SQLITE)


def test_secret_key_from_environment_in_production(clean_env):
    production_env(clean_env)
    clean_env.setenv("SECRET_KEY", "a-long-and-random-production-key-0123456789")
    app = create_app(SQLITE)
    assert app.config["SECRET_KEY"] == "a-long-and-random-production-key-0123456789"
    assert app.config["ENV_NAME"] == "production"


def test_prefixed_secret_key_in_production(clean_env):
    production_env(clean_env)
    clean_env.delenv("SECRET_KEY")
    clean_env.setenv("FEEDBACK_SECRET_KEY", "another-long-production-key-0123456789")
    assert create_app(SQLITE).config["SECRET_KEY"] == "another-long-production-key-0123456789"


def test_production_while_testing_needs_no_secret_key(clean_env):
    clean_env.setenv("FEEDBACK_ENV", "production")
    app = create_app({**SQLITE, "TESTING": True})
    assert app.config["SECRET_KEY"]


def test_database_url_from_environment(clean_env):
    clean_env.setenv("DATABASE_URL", "postgres://user:pw@db.example:5432/feedback")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://user:pw@db.example:5432/feedback"


def test_database_url_postgresql_scheme(clean_env):
    clean_env.setenv("DATABASE_URL", "postgresql://user@localhost/feedback")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://user@localhost/feedback"


@pytest.mark.parametrize("url, expected", [
    ("postgres://u@h/d", "postgresql+psycopg://u@h/d"),
    ("postgresql://u@h/d", "postgresql+psycopg://u@h/d"),
    ("postgresql+psycopg://u@h/d", "postgresql+psycopg://u@h/d"),
    ("sqlite:///x.db", "sqlite:///x.db"),
])
def test_normalise_database_url(url, expected):
    assert normalise_database_url(url) == expected


def test_database_override_is_normalised(clean_env):
    app = create_app({"SQLALCHEMY_DATABASE_URI": "postgres://u@h/d"})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h/d"


def test_prefixed_environment_is_applied(clean_env):
    clean_env.setenv("FEEDBACK_SEARCH_RESULTS_LIMIT", "5")
    clean_env.setenv("FEEDBACK_RATELIMIT_ENABLED", "false")
    clean_env.setenv("FEEDBACK_SOME_LABEL", "hello")
    app = create_app(SQLITE)
    assert app.config["SEARCH_RESULTS_LIMIT"] == 5
    assert app.config["RATELIMIT_ENABLED"] is False
    assert app.config["SOME_LABEL"] == "hello"


def test_redis_url_from_environment(clean_env):
    clean_env.setenv("REDIS_URL", "redis://cache.example:6379/0")
    app = create_app(SQLITE)
    assert app.config["REDIS_URL"] == "redis://cache.example:6379/0"
    assert app.config["RATELIMIT_STORAGE_URI"] == "redis://cache.example:6379/0"


def test_rate_limits_in_memory_without_redis(clean_env):
    assert create_app(SQLITE).config["RATELIMIT_STORAGE_URI"] == "memory://"


def test_default_database_is_sqlite_in_instance_folder(clean_env):
    app = create_app()
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    assert uri.startswith("sqlite:///")
    path = Path(uri[len("sqlite:///"):])
    assert path.parent == Path(app.instance_path)
    assert path.suffix == ".sqlite3"
    assert Path(app.instance_path).is_dir()


def test_blueprints_registered(app):
    assert {"site", "territory", "api"} <= set(app.blueprints)
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert {"site.root", "site.healthz", "territory.home", "scorecards.scorecard",
            "api.municipalities", "api.openapi"} <= endpoints


def test_cli_commands_registered(app):
    result = app.test_cli_runner().invoke(args=["--help"])
    assert result.exit_code == 0
    for command in ("territory", "catalog", "load-reference-data"):
        assert command in result.output

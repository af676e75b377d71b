"""Citizen feedback and service evaluation for local self-government in Kyrgyzstan."""
from flask import Flask


def create_app(overrides: dict | None = None) -> Flask:
    app = Flask(__name__, static_folder="../static", static_url_path="/static")

    from . import cli, config, db, errors, i18n, security

    config.configure(app, overrides)
    db.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    _register_blueprints(app)
    cli.init_app(app)
    return app


def _register_blueprints(app: Flask) -> None:
    from .api.views import bp as api
    from .ratings.respondents import set_cookie
    from .ratings.views import bp as ratings
    from .site import bp as site
    from .territory.views import bp as territory

    for blueprint in (site, territory, ratings, api):
        app.register_blueprint(blueprint)
    app.after_request(set_cookie)

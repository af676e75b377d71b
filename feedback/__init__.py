"""Citizen feedback and service evaluation for local self-government in Kyrgyzstan."""
from flask import Flask


def create_app(overrides: dict | None = None) -> Flask:
    app = Flask(__name__, static_folder="../static", static_url_path="/static")

    from . import cli, config, db, errors, i18n, security

    config.configure(app, overrides)
    if app.config.get("PROXY_COUNT"):
        # Behind N reverse proxies (TLS ends there): trust their X-Forwarded-* headers, so that
        # the same-origin check and Secure cookies see the real scheme and host.
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = int(app.config["PROXY_COUNT"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_port=n)
    db.init_app(app)
    from . import perf; perf.init_app(app)  # noqa: E702, I001
    from . import cache; cache.init_app(app)  # noqa: E702, I001
    i18n.init_app(app)
    security.init_app(app)
    from .accounts import sessions

    sessions.init_app(app)
    errors.init_app(app)
    _register_blueprints(app)
    from .scorecards import aggregates; aggregates.init_app(app)  # noqa: E702, I001
    cli.init_app(app)
    return app


def _register_blueprints(app: Flask) -> None:
    from .accounts.views import bp as accounts
    from .admin.views import bp as admin
    from .api.views import bp as api
    from .evaluation.views import bp as evaluation
    from .moderation.views import bp as moderation
    from .pages import bp as pages
    from .ratings.phone_views import phone_bp
    from .ratings.poster_views import poster_bp
    from .ratings.respondents import set_cookie
    from .ratings.views import bp as ratings
    from .scorecards.views import bp as scorecards
    from .site import bp as site
    from .territory.views import bp as territory

    for blueprint in (site, pages, territory, ratings, phone_bp, poster_bp, accounts, admin, evaluation,
                      moderation, scorecards, api):
        app.register_blueprint(blueprint)
    app.after_request(set_cookie)

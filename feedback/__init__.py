"""Citizen feedback and service evaluation for local self-government in Kyrgyzstan."""
from flask import Flask


class App(Flask):
    def dispatch_request(self):
        from .db import commit_view

        return commit_view(self, super().dispatch_request())


def create_app(overrides: dict | None = None) -> Flask:
    app = App(__name__, static_folder="../static", static_url_path="/static")

    from . import cli, config, db, errors, i18n, security

    config.configure(app, overrides)
    # JSON in UTF-8 with Kyrgyz and Russian as letters, not as \u escapes: /api/v1/catalog is 69 KB
    # instead of 169 (brotli 16.6 instead of 24.7 KB), the scorecard and comparison APIs 2–17 % smaller.
    app.json.ensure_ascii = False
    from . import front; front.init_app(app)  # noqa: E702, I001 - innermost: it sees what Flask would
    if app.config.get("PROXY_COUNT"):
        # Behind N reverse proxies (TLS ends there): trust their X-Forwarded-* headers, so that
        # the same-origin check and Secure cookies see the real scheme and host.
        app.wsgi_app = security.TrustedProxies(app.wsgi_app, int(app.config["PROXY_COUNT"]),
                                               app.config.get("TRUSTED_PROXIES", "127.0.0.1,::1"))
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
    from .transparency import track as transparency_track; transparency_track.init_app(app)  # noqa: E702, I001
    from .answers import track as answers_track; answers_track.init_app(app)  # noqa: E702, I001
    cli.init_app(app)
    return app


def _register_blueprints(app: Flask) -> None:
    from .accounts.views import bp as accounts
    from .admin.views import bp as admin
    from .answers.views import bp as answers
    from .answers.views import public_bp as answers_public
    from .api.views import bp as api
    from .channels.assisted_views import bp as assisted
    from .channels.export_views import bp as channel_export
    from .channels.offline_views import bp as offline
    from .channels.sms_views import bp as sms
    from .compare.views import bp as compare
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
    from .transparency.views import bp as transparency
    from .transparency.views import files_bp as transparency_files

    for blueprint in (site, pages, territory, ratings, phone_bp, poster_bp, accounts, admin, evaluation,
                      moderation, scorecards, api, offline, sms, assisted, channel_export, transparency,
                      transparency_files, answers, answers_public):
        app.register_blueprint(blueprint)
    app.register_blueprint(compare)
    app.after_request(set_cookie)

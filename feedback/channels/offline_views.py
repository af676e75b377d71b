"""Offline-first web: the service worker (served from the root so that its scope covers every page),
the web app manifest, and the list of pages a municipality's visitors keep for offline use."""
import hashlib
from pathlib import Path

from flask import Blueprint, abort, current_app, g, jsonify, render_template, url_for
from flask_babel import gettext as _

from ..catalog import queries as catalog_queries
from ..i18n import LANGUAGES
from ..territory import queries as territory_queries

bp = Blueprint("offline", __name__, template_folder="templates")

# What the worker keeps from the first visit on: the look of every page and the scripts.
ASSETS = ("css/site.css", "css/scorecard.css", "css/answers.css", "js/queue.js", "js/rate.js")


def _assets_version() -> str:
    """Changes whenever an asset or the worker changes, so that browsers install the new worker."""
    digest = hashlib.sha256()
    static = Path(current_app.static_folder)
    for name in ASSETS:
        digest.update((static / name).read_bytes())
    digest.update((Path(bp.root_path) / "templates" / "channels" / "sw.js").read_bytes())
    return digest.hexdigest()[:12]


@bp.get("/sw.js")
def service_worker():
    body = render_template("channels/sw.js", version=_assets_version(),
                           assets=[url_for("static", filename=name) for name in ASSETS],
                           queue_js=url_for("static", filename="js/queue.js"), api=url_for("api.create_rating"))
    response = current_app.response_class(body, mimetype="text/javascript")
    # Browsers check for a new worker at most daily anyway; never let a cache hold an old one longer.
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@bp.get("/<lang>/manifest.webmanifest")
def manifest(lang: str):
    if lang not in LANGUAGES:
        abort(404)
    g.lang = lang
    body = {
        "name": _("Local Voice"), "short_name": _("Local Voice"),
        "description": _("Your voice for your aiyl okmotu"),
        "lang": lang, "start_url": f"/{lang}/", "scope": "/", "display": "standalone",
        "background_color": "#ffffff", "theme_color": "#0b5394",
        "icons": [{"src": url_for("static", filename="img/icon.svg"), "sizes": "any", "type": "image/svg+xml"}],
    }
    response = jsonify(body)
    response.mimetype = "application/manifest+json"
    return response


@bp.get("/<lang>/m/<code>/offline.json")
def offline_pages(lang: str, code: str):
    """The pages the worker keeps once a resident has visited this municipality: its page, the
    choice of what to rate, and the rating form of each of its subjects."""
    if lang not in LANGUAGES:
        abort(404)
    municipality = territory_queries.municipality(code)
    if municipality is None or not municipality.is_current:
        abort(404)
    urls = [url_for("scorecards.scorecard", lang=lang, code=code), url_for("ratings.choose", lang=lang, code=code)]
    urls += [url_for("ratings.rate", lang=lang, code=code, subject=subject.code)
             for subject in catalog_queries.citizen_subjects(municipality.kind)]
    return jsonify({"urls": urls})

"""Offline-first web: the service worker (served from the root so that its scope covers every page),
the web app manifest, and the list of pages a municipality's visitors keep for offline use."""
import hashlib
import json
from pathlib import Path

from flask import Blueprint, abort, current_app, g, jsonify, render_template, request, url_for
from flask_babel import gettext as _

from .. import cache
from ..catalog import queries as catalog_queries
from ..i18n import LANGUAGES, current_lang
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


# PNG icons drawn from icon.svg by scripts/make_icons.py: installable browsers want 192 and 512 px
# PNGs; the maskable ones fill the whole square and keep the bubble inside the safe circle.
ICONS = (("img/icon-192.png", "192x192", "any"), ("img/icon-512.png", "512x512", "any"),
         ("img/icon-maskable-192.png", "192x192", "maskable"), ("img/icon-maskable-512.png", "512x512", "maskable"))
YEAR = 365 * 24 * 3600


def manifest_body() -> bytes:
    """The manifest in the current language (icons by their content-hashed URLs)."""
    body = {
        "name": _("Local Voice"), "short_name": _("Local Voice"),
        "description": _("Your voice for your aiyl okmotu"),
        "lang": current_lang(), "start_url": f"/{current_lang()}/", "scope": "/", "display": "standalone",
        "background_color": "#ffffff", "theme_color": "#0b5394",
        "icons": [{"src": url_for("static", filename=name), "sizes": sizes, "type": "image/png", "purpose": purpose}
                  for name, sizes, purpose in ICONS]
        + [{"src": url_for("static", filename="img/icon.svg"), "sizes": "any", "type": "image/svg+xml"}],
    }
    return json.dumps(body, ensure_ascii=False, sort_keys=True).encode()


def manifest_version() -> str:
    """Changes whenever the manifest does (a name's translation, an icon): pages link the manifest
    with it, so the manifest may be cached for a year like the static files."""
    return hashlib.sha256(manifest_body()).hexdigest()[:12]


@bp.app_context_processor
def _manifest_version() -> dict:
    return {"manifest_version": manifest_version}


@bp.get("/<lang>/manifest.webmanifest")
def manifest(lang: str):
    if lang not in LANGUAGES:
        abort(404)
    g.lang = lang
    body = manifest_body()
    response = current_app.response_class(body, mimetype="application/manifest+json")
    if request.args.get("v") == hashlib.sha256(body).hexdigest()[:12]:
        response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    else:  # an old or missing version: a day, so that a stale link still finds the new manifest soon
        response.headers["Cache-Control"] = "public, max-age=86400"
    return response


@bp.get("/<lang>/m/<code>/offline.json")
def offline_pages(lang: str, code: str):
    """The pages the worker keeps once a resident has visited this municipality: its page, the
    choice of what to rate, and the rating form of each of its subjects. Kept under the reference
    data's version (the registry and the catalog are all it reads)."""
    if lang not in LANGUAGES:
        abort(404)
    return cache.kept_json(("offline-pages", lang, code), cache.REFERENCE, lambda: _offline_pages(lang, code))


def _offline_pages(lang: str, code: str):
    municipality = territory_queries.municipality(code)
    if municipality is None or not municipality.is_current:
        abort(404)
    urls = [url_for("scorecards.scorecard", lang=lang, code=code), url_for("ratings.choose", lang=lang, code=code)]
    urls += [url_for("ratings.rate", lang=lang, code=code, subject=subject.code)
             for subject in catalog_queries.citizen_subjects(municipality.kind)]
    return jsonify({"urls": urls})

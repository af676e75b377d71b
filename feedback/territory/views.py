"""Public pages of the registry: home with search, browse region → district. A municipality's page is
its scorecard (scorecards.views.scorecard)."""
from flask import Blueprint, abort, current_app, g, render_template, request

from .. import cache
from ..i18n import pull_lang, push_lang
from . import queries
from .search import search_municipalities, suggestions

bp = Blueprint("territory", __name__, url_prefix="/<lang>", template_folder="templates")
bp.url_value_preprocessor(pull_lang)
bp.url_defaults(push_lang)


@bp.get("/")
@cache.page
def home():
    return render_template("territory/home.html", regions=queries.regions(),
                           counts=queries.municipality_counts_by_region())


@bp.get("/search")
@cache.page
def search():
    query = request.args.get("q", "").strip()[:100]
    results = search_municipalities(query, limit=current_app.config["SEARCH_RESULTS_LIMIT"],
                                    lang=g.lang) if query else []
    # Nothing found: the nearest names, and the way through regions and districts.
    nearest = suggestions(query, lang=g.lang) if query and not results else []
    regions = queries.regions() if query and not results else []
    return render_template("territory/search.html", query=query, results=results, nearest=nearest,
                           regions=regions)


@bp.get("/r/<code>/")
def region(code: str):
    return _kept(lambda: _region(code))


def _region(code: str):
    region = queries.region(code) or abort(404)
    numbers = _numbers("region", code)
    if numbers and request.args.get("format"):
        return _download(numbers)
    return render_template("territory/region.html", region=region, numbers=numbers,
                           cities=queries.municipalities_of_region_without_district(code))


@bp.get("/d/<code>/")
def district(code: str):
    return _kept(lambda: _district(code))


def _district(code: str):
    district = queries.district(code) or abort(404)
    numbers = _numbers("district", code)
    if numbers and request.args.get("format"):
        return _download(numbers)
    return render_template("territory/district.html", district=district, numbers=numbers,
                           municipalities=queries.municipalities_of_district(code))


def _kept(render):
    """A region's or district's page, kept whole like the comparison page whose numbers it shows
    (compare.views.kept_whole), so that the way down from the home page costs one statement until
    those numbers change (it read a dozen, 65 ms at 5 M ratings on PostgreSQL). Without the
    comparisons: names only, rendered."""
    if "compare.index" not in current_app.view_functions:
        return render()
    from ..compare.views import kept_whole

    return kept_whole(render)


def _numbers(level: str, code: str) -> dict | None:
    """The unit's numbers from the comparisons (which sit above the registry; absent: names only)."""
    if "compare.index" not in current_app.view_functions:
        return None
    from ..compare.views import unit_numbers

    return unit_numbers(level, code)


def _download(numbers: dict):
    """?format=csv|xlsx: the page's numbers as a table, by the comparisons' export (404 for another format)."""
    from ..compare import exports
    from ..compare.views import unit_numbers_download

    return unit_numbers_download(numbers) if exports.requested() else abort(404)

"""The resident's journey: choose what to rate → the form → thank you. Works with JavaScript off."""

from flask import Blueprint, Response, abort, g, redirect, render_template, request, url_for
from markupsafe import escape
from sqlalchemy import select

from .. import cache
from ..catalog import queries as catalog_queries
from ..catalog.models import Subject
from ..db import begin_write, db, reads_first
from ..i18n import pull_lang, push_lang
from ..perf import Holes
from ..scorecards.queries import subject_summary
from ..security import csrf_token, limiter
from ..territory import queries as territory_queries
from ..territory.models import Village
from .abuse import issue_stamp, request_signals, setting, stamp_shown_at, use_stamp
from .forms import DONT_KNOW, OVERALL_WORDS, bound_form, form_class, rating_form, village_choices
from .models import Rating
from .respondents import COOKIE as RESPONDENT_COOKIE
from .respondents import current_respondent
from .services import (
    CATALOG_CODE,
    RatingError,
    RatingInput,
    check_municipality,
    check_subject,
    current_period,
    submit_rating,
    target,
    validate,
)

bp = Blueprint("ratings", __name__, url_prefix="/<lang>", template_folder="templates")
bp.url_value_preprocessor(pull_lang)
bp.url_defaults(push_lang)


def _municipality(code: str):
    municipality = territory_queries.municipality(code)
    try:
        check_municipality(municipality)
    except RatingError:
        abort(404)
    return municipality


def _subject(municipality, subject_code: str) -> Subject:
    subject = db.session.get(Subject, subject_code) if CATALOG_CODE.fullmatch(subject_code) else None
    try:
        check_subject(municipality, subject)
    except RatingError:
        abort(404)
    return subject


def _posted_form(code: str, subject: str):
    """The posted form, checked against the cached reference (services.target) and built from a form
    class and village choices kept per version of the reference data: no registry or catalog read on
    a rating that is stored. ``criteria_fields`` holds criterion codes (the page is built apart)."""
    try:
        target(code, subject)
    except RatingError:
        abort(404)
    cls = cache.cached(("rating-form-class", subject, g.lang),
                       lambda: form_class(catalog_queries.criteria_for(db.session.get(Subject, subject)), g.lang))
    villages = cache.cached(("rating-form-villages", g.lang), lambda: _all_village_choices(g.lang))
    return bound_form(cls, villages.get(code) or village_choices([], g.lang), formdata=request.form)


def _all_village_choices(lang: str) -> dict:
    """Every municipality's village choices (one entry of the cache, not one per municipality)."""
    by_municipality = {}
    for village in db.session.scalars(select(Village)):
        by_municipality.setdefault(village.municipality_code, []).append(village)
    return {code: village_choices(villages, lang) for code, villages in by_municipality.items()}


@bp.get("/m/<code>/rate")
@cache.page  # the QR poster's page: changes only with the registry and the catalog
def choose(code: str):
    municipality = _municipality(code)
    subjects = catalog_queries.citizen_subjects(municipality.kind)
    groups = [
        ("municipal_service", [s for s in subjects if s.kind == "municipal_service"]),
        ("local_issue", [s for s in subjects if s.kind == "local_issue"]),
    ]
    return render_template("ratings/choose.html", m=municipality, groups=groups, lang=g.lang)


@bp.route("/m/<code>/rate/<subject>", methods=["GET", "POST"])
@limiter.limit(lambda: setting("RATING_RATE_LIMIT"), methods=["POST"])
@reads_first
def rate(code: str, subject: str):
    if request.method == "GET" and cache.anonymous() and RESPONDENT_COOKIE not in request.cookies:
        # A first visit's empty form changes only with the catalog and the registry: rendered once
        # per version for every process (cache.shared: one worker renders it, the others and the
        # other app servers read it from Redis), kept with holes for this request's CSRF token and
        # form stamp, and sent as gzip without compressing it again (perf.Holes). A returning
        # resident (respondent cookie) may see their earlier rating and its answer, so is never
        # served this.
        page = cache.shared(("rate", g.lang, code, subject, current_period()),
                            lambda: _blank_form(code, subject).encode(), _holes)
        return _filled(page, [csrf_token(), issue_stamp()])
    failed = None
    if request.method == "POST":
        form = _posted_form(code, subject)
        if form.validate():
            data = RatingInput(
                municipality_code=code, subject_code=subject, overall=form.overall.data,
                criteria={c: (None if f.data in (None, "", DONT_KNOW) else f.data) for c, f in form.criteria_fields},
                comment=form.comment.data, sex=form.sex.data or None, age_band=form.age_band.data or None,
                village_code=form.village.data or None, source="web",
            )
            honeypot, started = form.website.data or "", form.started.data
            try:
                checked = validate(data)  # reads only: before the write lock (db.begin_write)
                begin_write()
                respondent = current_respondent()
                signals = request_signals(data.municipality_code, respondent.id, honeypot=honeypot,
                                          fill_seconds=use_stamp(started))
                outcome = submit_rating(data, respondent, signals, checked=checked)
            except RatingError as error:
                db.session.rollback()
                failed = error
            else:
                # Stored when the request ends (db.commit_view commits before the response is sent;
                # a failed commit answers 503, never this redirect).
                return redirect(url_for("ratings.thanks", code=data.municipality_code, subject=data.subject_code,
                                        replaced=int(outcome.replaced)), code=303)
    # The page: the form shown, or shown again with what was wrong (built from the registry and catalog).
    municipality = _municipality(code)
    subject_obj = _subject(municipality, subject)
    criteria = catalog_queries.criteria_for(subject_obj)
    form = rating_form(criteria, municipality.villages, g.lang,
                       formdata=request.form if request.method == "POST" else None)
    if request.method == "GET":
        form.started.data = issue_stamp()
    else:
        form.validate()
        if failed is not None:
            target_field = getattr(form, failed.field if hasattr(form, failed.field) else "overall")
            target_field.errors = list(target_field.errors) + [str(failed.message)]
        form.started.data = issue_stamp(shown_at=stamp_shown_at(form.started.data))
    status = 400 if request.method == "POST" else 200
    return render_template("ratings/rate.html", m=municipality, subject=subject_obj, form=form, lang=g.lang,
                           comment_max=form.comment.validators[1].max), status


CSRF_PLACEHOLDER = "\x00csrf\x00"
STARTED_PLACEHOLDER = "\x00started\x00"


PLACEHOLDERS = [CSRF_PLACEHOLDER, STARTED_PLACEHOLDER]  # in the page's order


def _holes(page: bytes) -> Holes:
    return Holes(page, [placeholder.encode() for placeholder in PLACEHOLDERS])


def _filled(page: Holes, values: list[str]) -> Response:
    """The blank form with this request's values (in PLACEHOLDERS' order), escaped as the template
    would (signed tokens are URL-safe characters: escaping leaves them as they are); gzip when the
    client takes it (every browser), whatever else it prefers."""
    values = [str(escape(value)).encode() for value in values]
    if request.accept_encodings["gzip"]:
        response = Response(page.gzip(values), mimetype="text/html")
        response.headers["Content-Encoding"] = "gzip"
    else:
        response = Response(page.plain(values), mimetype="text/html")
    response.vary.add("Accept-Encoding")
    return response


def _blank_form(code: str, subject: str) -> str:
    municipality = _municipality(code)
    subject_obj = _subject(municipality, subject)
    form = rating_form(catalog_queries.criteria_for(subject_obj), municipality.villages, g.lang)
    form.csrf_token.current_token = CSRF_PLACEHOLDER
    form.started.data = STARTED_PLACEHOLDER
    return render_template("ratings/rate.html", m=municipality, subject=subject_obj, form=form, lang=g.lang,
                           comment_max=form.comment.validators[1].max)


@bp.get("/m/<code>/rate/<subject>/thanks")
def thanks(code: str, subject: str):
    municipality = _municipality(code)
    subject_obj = _subject(municipality, subject)
    period = current_period()
    respondent = current_respondent(create=False)
    rating = None
    if respondent is not None:
        rating = db.session.scalar(select(Rating).where(
            Rating.respondent_id == respondent.id, Rating.municipality_code == municipality.code,
            Rating.subject_code == subject_obj.code, Rating.period == period))
    summary = subject_summary(municipality.code, subject_obj.code, period)
    return render_template("ratings/thanks.html", m=municipality, subject=subject_obj, rating=rating,
                           summary=summary, period=period, replaced=request.args.get("replaced") == "1",
                           lang=g.lang, overall_words=_overall_words())


def _overall_words() -> dict[int, str]:
    return {value: str(label) for value, label in OVERALL_WORDS.items()}



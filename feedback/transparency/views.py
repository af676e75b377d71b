"""Routes of the transparency package: the monitor's home, checklist and peer review (under
/<lang>/monitor/), the LSG's reply (/<lang>/staff/transparency/), residents' budget priorities
(/<lang>/m/<soate>/budget), and evidence downloads (/transparency/evidence/<id>)."""
import io
import re
import time

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, send_file, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeSerializer

from ..accounts.policy import can_see_municipality, ensure, require_role
from ..catalog import periods
from ..catalog.models import Subject
from ..db import db
from ..evaluation.services import evidence_megabytes
from ..i18n import current_lang, pull_lang, push_lang
from ..ratings.abuse import request_signals, setting
from ..ratings.respondents import current_respondent
from ..ratings.services import current_period
from ..security import limiter
from ..territory import queries as territory_queries
from ..territory.models import Municipality
from . import exports, queries, services
from .forms import AssessmentForm, PriorityForm, ReplyForm, ReviewForm
from .models import TransparencyAssessment, TransparencyEvidence
from .scoring import allows_na
from .services import AnswersInput, Invalid, OutOfScope, ReviewInput, TransparencyError

bp = Blueprint("transparency", __name__, url_prefix="/<lang>", template_folder="templates")
bp.url_value_preprocessor(pull_lang)
bp.url_defaults(push_lang)
files_bp = Blueprint("transparency_files", __name__)

SOATE = re.compile(r"\d{14}")


def _municipality(code: str) -> Municipality:
    municipality = db.session.get(Municipality, code) if SOATE.fullmatch(code) else None
    ensure(municipality is not None)
    return municipality


def _errors_of(error: TransparencyError) -> dict:
    return dict(error.errors) if isinstance(error, Invalid) else {error.field: error.message}


def _period() -> int | None:
    year = request.args.get("period", type=int)
    if year is not None:
        return year if periods.get_period(year) is not None else None
    period = periods.current_open_period()
    return period.year if period else None


def _by_item(rows) -> dict:
    grouped: dict = {}
    for row in rows:
        grouped.setdefault(row.item_code, []).append(row)
    return grouped


def _view_context(assessment: TransparencyAssessment | None) -> dict:
    if assessment is None:
        return {"answers": {}, "evidence": {}, "replies": {}}
    return {"answers": {a.item_code: a for a in assessment.answers}, "evidence": _by_item(assessment.evidence),
            "replies": _by_item(assessment.replies)}


@bp.get("/monitor/")
@require_role("monitor")
def monitor_home():
    period = _period()
    rows = queries.monitor_home(current_user, period) if period is not None else []
    return render_template("transparency/monitor_home.html", period=period, rows=rows, lang=g.lang)


def _apply_evidence(assessment, catalog, party: str) -> None:
    for item in catalog:
        url = (request.form.get(f"url-{item.code}") or "").strip()
        if url:
            services.add_evidence(current_user, assessment, item.code, party=party, url=url)
        upload = request.files.get(f"file-{item.code}")
        if upload is not None and upload.filename:
            services.add_evidence(current_user, assessment, item.code, party=party, filename=upload.filename,
                                  data=upload.read())


@bp.route("/monitor/<code>/", methods=["GET", "POST"])
@require_role("monitor")
def assess(code: str):
    municipality = _municipality(code)
    ensure(services.can_assess(current_user, municipality))
    period = _period()
    ensure(period is not None)
    assessment = services.find(municipality.code, period)
    ensure(assessment is not None or municipality.is_current)
    catalog = services.items()
    form = AssessmentForm()
    errors: dict = {}
    values = {a.item_code: a.answer or "" for a in assessment.answers} if assessment else {}
    notes = {a.item_code: a.note for a in assessment.answers} if assessment else {}
    if request.method == "POST":
        action = request.form.get("action", "save")
        if not form.validate_on_submit():
            errors = {"": " ".join(str(m) for messages in form.errors.values() for m in messages)}
        else:
            if assessment is None or assessment.status in ("draft", "submitted"):
                values = {i.code: request.form.get(f"item-{i.code}", "") for i in catalog}
                notes = {i.code: request.form.get(f"note-{i.code}", "") for i in catalog}
            try:
                assessment = services.open_draft(current_user, municipality, period) if assessment is None else assessment
                if action == "finalise":
                    services.finalise(current_user, assessment)
                else:
                    services.save_answers(current_user, assessment, AnswersInput(values, notes))
                    _apply_evidence(assessment, catalog, "monitor")
                    if action.startswith("remove:") and action[7:].isdigit():
                        services.remove_evidence(current_user, assessment, int(action[7:]))
                    elif action == "submit":
                        services.submit(current_user, assessment)
            except OutOfScope:
                db.session.rollback()
                abort(404)
            except TransparencyError as error:
                db.session.rollback()
                errors = _errors_of(error)
            else:
                done = action if action in ("submit", "finalise") else "save"
                return redirect(url_for("transparency.assess", code=municipality.code, period=period, done=done),
                                code=303)
        assessment = services.find(municipality.code, period)
    editable = (periods.is_open(period) and (assessment is None or (
        assessment.status in ("draft", "submitted") and assessment.monitor_id == current_user.id)))
    return render_template(
        "transparency/assess.html", m=municipality, period=period, assessment=assessment, items=catalog, form=form,
        values=values, notes=notes, errors=errors, editable=editable, done=request.args.get("done"),
        may_review=assessment is not None and services.can_review(current_user, assessment),
        reply_open=assessment is not None and services.reply_open(assessment),
        evidence_mb=_evidence_mb(), allows_na=_allows_na(catalog), lang=g.lang, **_view_context(assessment),
    ), (400 if errors else 200)


def _evidence_mb() -> str:
    return evidence_megabytes()


def _allows_na(catalog) -> set:
    return {i.code for i in catalog if allows_na(i.answer_scale)}


@bp.route("/monitor/assessments/<int:assessment_id>/review", methods=["GET", "POST"])
@require_role("monitor")
def review(assessment_id: int):
    assessment = queries.assessment(assessment_id)
    ensure(assessment is not None and services.can_review(current_user, assessment))
    municipality = db.session.get(Municipality, assessment.municipality_code)
    catalog = services.items()
    form = ReviewForm()
    errors: dict = {}
    verdicts = {a.item_code: ("agree" if a.review_agrees or a.review_agrees is None else a.review_answer)
                for a in assessment.answers}
    review_notes = {a.item_code: a.review_note for a in assessment.answers}
    if request.method == "POST":
        verdicts = {i.code: request.form.get(f"review-{i.code}", "") for i in catalog}
        review_notes = {i.code: request.form.get(f"review-note-{i.code}", "") for i in catalog}
        if not form.validate_on_submit():
            errors = {name: " ".join(str(m) for m in messages) for name, messages in form.errors.items()}
        else:
            try:
                services.review(current_user, assessment,
                                ReviewInput(verdicts, review_notes, form.review_note.data or ""))
            except OutOfScope:
                db.session.rollback()
                abort(404)
            except TransparencyError as error:
                db.session.rollback()
                errors = _errors_of(error)
            else:
                return redirect(url_for("transparency.assess", code=municipality.code, period=assessment.period,
                                        done="review"), code=303)
        assessment = queries.assessment(assessment_id)
    elif assessment.review_note:
        form.review_note.data = assessment.review_note
    return render_template("transparency/review.html", m=municipality, assessment=assessment, items=catalog,
                           form=form, verdicts=verdicts, review_notes=review_notes, errors=errors,
                           allows_na=_allows_na(catalog), lang=g.lang, **_view_context(assessment)), (400 if errors else 200)


@bp.route("/staff/transparency/<int:assessment_id>/", methods=["GET", "POST"])
@require_role("lsg_staff")
def staff_reply(assessment_id: int):
    assessment = queries.assessment(assessment_id)
    ensure(assessment is not None and services.can_reply(current_user, assessment))
    municipality = db.session.get(Municipality, assessment.municipality_code)
    catalog = services.items()
    form = ReplyForm()
    errors: dict = {}
    bodies: dict = {}
    if request.method == "POST":
        bodies = {i.code: request.form.get(f"reply-{i.code}", "") for i in catalog}
        if not form.validate_on_submit():
            errors = {"": " ".join(str(m) for messages in form.errors.values() for m in messages)}
        else:
            try:
                sent = 0
                for item in catalog:
                    has_evidence = (request.form.get(f"url-{item.code}") or "").strip() or getattr(
                        request.files.get(f"file-{item.code}"), "filename", "")
                    if bodies[item.code].strip() or has_evidence:
                        services.reply(current_user, assessment, item.code, bodies[item.code])
                        sent += 1
                _apply_evidence(assessment, catalog, "lsg")
                if not sent:
                    raise TransparencyError("", "empty", _nothing_to_send())
            except OutOfScope:
                db.session.rollback()
                abort(404)
            except TransparencyError as error:
                db.session.rollback()
                errors = _errors_of(error)
            else:
                return redirect(url_for("transparency.staff_reply", assessment_id=assessment.id, done=1), code=303)
        assessment = queries.assessment(assessment_id)
    return render_template("transparency/staff_reply.html", m=municipality, assessment=assessment, items=catalog,
                           form=form, bodies=bodies, errors=errors, reply_open=services.reply_open(assessment),
                           done=request.args.get("done"), evidence_mb=_evidence_mb(), lang=g.lang,
                           **_view_context(assessment)), (400 if errors else 200)


def _nothing_to_send():
    return _l("Write a reply to at least one item.")


# --- residents' budget priorities ------------------------------------------------------------------

def _clock() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="form-started")


def _fill_seconds(started: str | None) -> float:
    try:
        shown = float(_clock().loads(started or ""))
    except (BadSignature, TypeError, ValueError):
        return 0.0
    return max(0.0, time.time() - shown)


def _current_municipality(code: str) -> Municipality:
    municipality = territory_queries.municipality(code)
    if municipality is None or not municipality.is_current:
        abort(404)
    return municipality


@bp.route("/m/<code>/budget", methods=["GET", "POST"])
@limiter.limit(lambda: setting("RATING_RATE_LIMIT"), methods=["POST"])
def priorities(code: str):
    municipality = _current_municipality(code)
    subjects = services.priority_subjects(municipality)
    form = PriorityForm()
    choices = [("", _l("Choose a local issue"))] + [(s.code, s.name(g.lang)) for s in subjects]
    for field in (form.first, form.second, form.third):
        field.choices = choices
    if request.method == "GET":
        form.started.data = _clock().dumps(str(time.time()))
    elif form.validate_on_submit():
        respondent = current_respondent()
        signals = request_signals(municipality.code, respondent.id, honeypot=form.website.data or "",
                                  fill_seconds=_fill_seconds(form.started.data))
        try:
            _priority, replaced = services.submit_priorities(
                municipality, [form.first.data, form.second.data, form.third.data], respondent, signals,
                current_period())
        except TransparencyError as error:
            db.session.rollback()
            target = getattr(form, error.field, form.first) if error.field in ("first", "second", "third") else form.first
            target.errors = list(target.errors) + [str(error.message)]
        else:
            return redirect(url_for("transparency.priorities_thanks", code=municipality.code, replaced=int(replaced)),
                            code=303)
    status = 400 if request.method == "POST" else 200
    return render_template("transparency/priorities.html", m=municipality, form=form, lang=g.lang,
                           period=current_period()), status


@bp.get("/m/<code>/budget/thanks")
def priorities_thanks(code: str):
    municipality = _current_municipality(code)
    return render_template("transparency/priorities_thanks.html", m=municipality, lang=g.lang,
                           replaced=request.args.get("replaced") == "1", next_year=current_period() + 1)


# --- exports of residents' budget priorities -------------------------------------------------------

def _export_period() -> int:
    period = request.args.get("period", current_period(), type=int)
    ensure(period is not None and 2000 <= period <= current_period())
    return period


@bp.get("/m/<code>/budget/priorities.<fmt>")
def priorities_export(code: str, fmt: str):
    """One municipality's budget priorities, as on its page (CSV or XLSX)."""
    from ..scorecards import methodology as mth

    ensure(fmt in exports.FORMATS)
    municipality = territory_queries.municipality(code)
    ensure(municipality is not None)
    period, params = _export_period(), mth.get()
    table = exports.rows([municipality], period, params.min_sample, params.z)
    return exports.response(fmt, f"budget-priorities-{municipality.code}-{period}", table, params, period,
                            request.path)


@bp.get("/data/budget-priorities.<fmt>")
def priorities_export_all(fmt: str):
    """Budget priorities of every municipality of a region (``?region=``) or of the country with an
    answer in the period."""
    from sqlalchemy import select

    from ..scorecards import methodology as mth

    ensure(fmt in exports.FORMATS)
    region = request.args.get("region")
    query = select(Municipality).order_by(Municipality.region_code, Municipality.code)
    if region:
        ensure(territory_queries.region(region) is not None)
        query = query.where(Municipality.region_code == region)
    period, params = _export_period(), mth.get()
    table = exports.rows(list(db.session.scalars(query)), period, params.min_sample, params.z, with_empty=False)
    return exports.response(fmt, f"budget-priorities-{region or 'kg'}-{period}", table, params, period,
                            request.full_path.rstrip("?"))


# --- evidence --------------------------------------------------------------------------------------

def _may_download(user, assessment: TransparencyAssessment) -> bool:
    if assessment.status == "final":
        return True  # the scorecard shows the evidence of final assessments to everyone
    if not user.is_authenticated:
        return False
    if user.role in ("admin", "analyst"):
        return True
    municipality = db.session.get(Municipality, assessment.municipality_code)
    if user.role == "monitor":
        return can_see_municipality(user, municipality)
    if user.role == "lsg_staff":
        return services.can_reply(user, assessment)
    return False


@files_bp.get("/transparency/evidence/<int:evidence_id>")
def evidence(evidence_id: int):
    item = db.session.get(TransparencyEvidence, evidence_id)
    ensure(item is not None and item.data is not None)
    assessment = db.session.get(TransparencyAssessment, item.assessment_id)
    if assessment.status != "final" and not current_user.is_authenticated:
        return redirect(url_for("accounts.login", lang=current_lang(), next=request.full_path))
    ensure(_may_download(current_user, assessment))
    response = send_file(io.BytesIO(item.data), mimetype=item.content_type or "application/octet-stream",
                         as_attachment=True, download_name=item.filename or "document", max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response



# --- for other pages' templates (the public page, the staff home, the print view) --------------------

@bp.app_template_global()
def budget_priorities(code: str, period: int | None = None, with_scores: bool = False) -> dict:
    """Residents' budget priorities of a municipality, with the subjects' names and (for staff) each
    issue's citizen index of the period ("residents rate water 31/100 and 46 % put it first")."""
    from sqlalchemy import select

    from ..scorecards import methodology as mth

    params = mth.get()
    period = period or current_period()
    summary = queries.priorities(code, period, params.min_sample, params.z)
    summary["subjects"] = {s.code: s for s in db.session.scalars(select(Subject).where(Subject.kind == "local_issue"))}
    summary["scores"] = {}
    if with_scores and summary["published"]:
        from ..scorecards.scorecard import build  # the scorecard sits above this package: imported late

        card = build(db.session.get(Municipality, code), period, params)
        summary["scores"] = {s["code"]: s["index"] for s in card["citizen"]["subjects"] if s["published"]}
    return summary


@bp.app_template_global()
def transparency_for_staff(code: str) -> list[dict]:
    """The municipality's submitted assessments: the findings to act on (items answered no or
    partly), whether replies are still open, and the replies sent."""
    names = {i.code: i for i in services.items()}
    return [{"assessment": a, "findings": [names[c] for c in queries.findings(a) if c in names],
             "reply_open": services.reply_open(a), "replies": len(a.replies)} for a in queries.for_staff(code)]


@bp.app_template_global()
def transparency_items() -> dict:
    return {i.code: i for i in services.items()}

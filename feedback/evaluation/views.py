"""Routes of the evaluation package (under /<lang>/): the evaluator's worklist and form, the LSG
staff home and their answers, evidence downloads."""
import io
import re

from flask import Blueprint, abort, g, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy import select

from ..accounts.policy import can_evaluate, can_respond, can_see_municipality, ensure, require_role
from ..catalog.models import Agency, Period, Subject
from ..db import db
from ..i18n import pull_lang, push_lang
from ..ratings.models import Rating
from ..territory.models import District, Municipality, Region
from . import queries, services
from .forms import EvaluationForm, ResponseForm
from .models import Evidence, StateEvaluation
from .services import EvaluationError, EvaluationInvalid, OutOfScope, ScoresInput

bp = Blueprint("evaluation", __name__, url_prefix="/<lang>", template_folder="templates")
bp.url_value_preprocessor(pull_lang)
bp.url_defaults(push_lang)

SOATE = re.compile(r"\d{14}")
CODE = re.compile(r"[A-Z0-9-]{1,40}")
PER_PAGE = 50
STAFF_COMMENTS = 50


def _municipality(code: str) -> Municipality:
    municipality = db.session.get(Municipality, code) if SOATE.fullmatch(code) else None
    ensure(municipality is not None)
    return municipality


def _power(code: str) -> Subject:
    subject = db.session.get(Subject, code) if CODE.fullmatch(code) else None
    ensure(subject is not None and subject.kind == "delegated_power")
    return subject


def _period_arg() -> int | None:
    return request.args.get("period", type=int)


def _errors_of(error: EvaluationError) -> dict:
    return dict(error.errors) if isinstance(error, EvaluationInvalid) else {error.field: error.message}


@bp.get("/evaluate/")
@require_role("state_evaluator")
def evaluator_home():
    period = _period_arg() or queries.open_period()
    regions = list(db.session.scalars(select(Region).order_by(Region.name_ru)))
    if current_user.region_code:
        regions = [r for r in regions if r.code == current_user.region_code]
    region = request.args.get("region") or current_user.region_code or ""
    if region not in {r.code for r in regions}:
        region = ""
    districts = list(db.session.scalars(select(District).where(District.region_code == region)
                                        .order_by(District.name_ru))) if region else []
    district = request.args.get("district") or ""
    if district not in {d.code for d in districts}:
        district = ""
    status = request.args.get("status") or ""
    if status not in queries.WORKLIST_STATUSES:
        status = ""
    result = None
    name = request.args.get("q", "").strip()[:100]
    if period is not None and db.session.get(Period, period) is not None:
        result = queries.worklist(current_user, period, region=region or None, district=district or None,
                                  status=status or None, page=request.args.get("page", 1, type=int), per_page=PER_PAGE,
                                  name=name or None)
    agency = db.session.get(Agency, current_user.agency_code) if current_user.agency_code else None
    return render_template("evaluation/worklist.html", period=period, result=result, regions=regions,
                           districts=districts, region=region, district=district, status=status, agency=agency, q=name,
                           period_open=period is not None and queries.period_is_open(period), lang=g.lang)


def _form_values(evaluation: StateEvaluation | None) -> tuple[dict, dict]:
    values, comments = {}, {}
    for score in (evaluation.scores if evaluation else []):
        values[score.indicator_code] = str(score.score) if score.score is not None else (score.answer or "")
        comments[score.indicator_code] = score.comment
    return values, comments


@bp.route("/evaluate/<code>/<power>/", methods=["GET", "POST"])
@require_role("state_evaluator")
def evaluate(code: str, power: str):
    municipality, subject = _municipality(code), _power(power)
    ensure(can_evaluate(current_user, municipality, subject))
    period = _period_arg() or queries.open_period() or queries.latest_period()
    ensure(period is not None and db.session.get(Period, period) is not None)
    evaluation = services.find(municipality.code, subject.code, period)
    ensure(evaluation is not None or municipality.is_current)
    indicators = services.indicators()
    form = EvaluationForm()
    errors: dict = {}
    values, comments = _form_values(evaluation)
    if request.method == "GET" and evaluation is not None:
        form.comment.data = evaluation.comment
    if request.method == "POST":
        values = {i.code: request.form.get(f"ind-{i.code}", "") for i in indicators}
        comments = {i.code: request.form.get(f"comment-{i.code}", "") for i in indicators}
        action = request.form.get("action", "save")
        if not form.validate_on_submit():
            errors = {name: " ".join(str(m) for m in messages) for name, messages in form.errors.items()}
        else:
            try:
                evaluation = services.open_draft(current_user, municipality, subject, period)
                services.ensure_editable(evaluation)
                services.save_scores(current_user, evaluation,
                                     ScoresInput(values=values, comments=comments, comment=form.comment.data or ""))
                if form.evidence_url.data:
                    services.add_link(current_user, evaluation, form.evidence_url.data)
                upload = form.evidence_file.data
                if upload is not None and getattr(upload, "filename", ""):
                    services.add_file(current_user, evaluation, upload.filename, upload.read())
                if action.startswith("remove:") and action[7:].isdigit():
                    services.remove_evidence(current_user, evaluation, int(action[7:]))
                elif action == "submit":
                    services.submit(current_user, evaluation)
                elif action == "reply":
                    reply_file = request.files.get("reply_file")
                    reply_data = reply_file.read() if reply_file is not None and reply_file.filename else None
                    services.reply(current_user, evaluation, request.form.get("reply", ""),
                                   reply_file.filename if reply_data else None, reply_data)
                elif action == "finalise":
                    services.finalise(current_user, evaluation, request.form.get("contest_outcome") or None)
            except OutOfScope:
                db.session.rollback()
                abort(404)
            except EvaluationError as error:
                db.session.rollback()
                errors = _errors_of(error)
            else:
                done = action if action in ("submit", "finalise", "reply") else "save"
                return redirect(url_for("evaluation.evaluate", code=municipality.code, power=subject.code,
                                        period=period, done=done), code=303)
        evaluation = services.find(municipality.code, subject.code, period)
    period_open = queries.period_is_open(period)
    editable = period_open and (evaluation is None or evaluation.status != "final")
    return render_template(
        "evaluation/evaluate.html", m=municipality, subject=subject, period=period, evaluation=evaluation,
        indicators=indicators, form=form, values=values, comments=comments, errors=errors, editable=editable,
        period_open=period_open, done=request.args.get("done"), evidence_mb=services.evidence_megabytes(), lang=g.lang,
    ), (400 if errors else 200)


@bp.get("/staff/")
@require_role("lsg_staff")
def staff_home():
    municipality = db.session.get(Municipality, current_user.municipality_code or "")
    ensure(municipality is not None)
    comments = list(db.session.scalars(
        select(Rating).where(Rating.municipality_code == municipality.code, Rating.comment_status == "approved",
                             Rating.comment.is_not(None))
        .order_by(Rating.created_at.desc()).limit(STAFF_COMMENTS)))
    subjects = {s.code: s for s in db.session.scalars(select(Subject))}
    evaluations = queries.for_municipality(municipality.code)
    return render_template("evaluation/staff_home.html", m=municipality, comments=comments, subjects=subjects,
                           evaluations=evaluations, lang=g.lang)


@bp.route("/staff/evaluations/<int:evaluation_id>/", methods=["GET", "POST"])
@require_role("lsg_staff")
def staff_evaluation(evaluation_id: int):
    evaluation = queries.evaluation(evaluation_id)
    ensure(evaluation is not None and can_respond(current_user, evaluation)
           and evaluation.status in ("submitted", "contested", "final"))
    form = ResponseForm()
    errors: dict = {}
    if request.method == "POST":
        if form.validate_on_submit():
            upload = form.evidence_file.data
            data = upload.read() if upload is not None and getattr(upload, "filename", "") else None
            try:
                services.respond(current_user, evaluation, form.kind.data, form.body.data,
                                 upload.filename if data else None, data)
            except OutOfScope:
                db.session.rollback()
                abort(404)
            except EvaluationError as error:
                db.session.rollback()
                errors = _errors_of(error)
            else:
                return redirect(url_for("evaluation.staff_evaluation", evaluation_id=evaluation.id, done=1), code=303)
        else:
            errors = {name: " ".join(str(m) for m in messages) for name, messages in form.errors.items()}
        evaluation = queries.evaluation(evaluation_id)
    return render_template(
        "evaluation/staff_evaluation.html", evaluation=evaluation, m=db.session.get(Municipality, evaluation.municipality_code),
        subject=db.session.get(Subject, evaluation.subject_code), indicators=services.indicators(), form=form,
        errors=errors, period_open=queries.period_is_open(evaluation.period), done=request.args.get("done"), lang=g.lang,
    ), (400 if errors else 200)


def _may_download(user, evaluation: StateEvaluation) -> bool:
    if not user.is_authenticated:
        return False
    if user.role in ("admin", "analyst"):
        return True
    municipality = db.session.get(Municipality, evaluation.municipality_code)
    if user.role == "state_evaluator":
        return evaluation.agency_code == user.agency_code and can_see_municipality(user, municipality)
    if user.role == "lsg_staff":
        return can_respond(user, evaluation) and evaluation.status in ("submitted", "contested", "final")
    return False


@bp.get("/evidence/<int:evidence_id>")
@require_role("admin", "analyst", "state_evaluator", "lsg_staff")
def evidence(evidence_id: int):
    item = db.session.get(Evidence, evidence_id)
    ensure(item is not None and item.data is not None)
    ensure(_may_download(current_user, db.session.get(StateEvaluation, item.evaluation_id)))
    response = send_file(io.BytesIO(item.data), mimetype=item.content_type or "application/octet-stream",
                         as_attachment=True, download_name=item.filename or "document", max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response

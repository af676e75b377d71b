"""Routes of the answers package (under /<lang>/).

``answers``: the staff's pages (answer comments, report a promise done, the action plan) — role
lsg_staff and scope (their municipality only) on every route. ``answers_public``: the resident's
judgement and SMS opt-in (by the respondent cookie), done-photos, and the kenesh report.
"""
import io
import re

from flask import Blueprint, abort, g, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy import select

from ..accounts.policy import ensure, require_role
from ..catalog.models import Criterion, Subject
from ..db import db
from ..i18n import pull_lang, push_lang
from ..ratings.respondents import current_respondent
from ..ratings.services import current_period
from ..security import limiter
from ..territory import queries as territory_queries
from ..territory.models import Municipality
from . import queries, services
from .forms import AnswerForm, CommitmentForm, DoneForm, JudgeForm, SmsForm, WithdrawForm
from .models import Answer
from .services import AnswerError, NotFound

bp = Blueprint("answers", __name__, url_prefix="/<lang>", template_folder="templates")
bp.url_value_preprocessor(pull_lang)
bp.url_defaults(push_lang)
public_bp = Blueprint("answers_public", __name__, url_prefix="/<lang>", template_folder="templates")
public_bp.url_value_preprocessor(pull_lang)
public_bp.url_defaults(push_lang)

SOATE = re.compile(r"\d{14}")


def _form_errors(form) -> dict:
    return {name: " ".join(str(m) for m in messages) for name, messages in form.errors.items()}


def _own_municipality() -> Municipality:
    municipality = db.session.get(Municipality, current_user.municipality_code or "")
    ensure(municipality is not None)
    return municipality


def _names() -> dict:
    return {"subjects": {s.code: s for s in db.session.scalars(select(Subject))},
            "criteria": {c.code: c for c in db.session.scalars(select(Criterion))}}


def _send_after(response):
    """Hand the SMS notices made due by this (committed) request to delivery: a queued job with
    Redis, else sent after the response; the request never waits for the gateway, and a failure
    leaves them due for the retries and ``flask answers send-sms``."""
    from .. import delivery
    from . import notices

    return delivery.dispatch(response, notices.KIND, notices.new_due_ids())


def _attempt(action, *args, **kwargs) -> AnswerError | None:
    """Run a service action for a view: an unknown or foreign record answers 404; a refused action
    is rolled back (so that the page rendered next does not show its partial work) and returned, for
    the view to show. None when it was done."""
    try:
        action(*args, **kwargs)
    except NotFound:
        db.session.rollback()
        abort(404)
    except AnswerError as error:
        db.session.rollback()
        return error
    return None


def _public_url(lang: str, code: str) -> str:
    return url_for("scorecards.scorecard", lang=lang, code=code, _external=True)


@bp.route("/staff/answers/", methods=["GET", "POST"])
@require_role("lsg_staff")
def staff_answers():
    municipality = _own_municipality()
    form = AnswerForm()
    errors: dict = {}
    selected = [int(i) for i in request.form.getlist("rating") if i.isdigit()]
    if request.method == "GET":
        form.language.data = g.lang
        if request.args.get("rating", "").isdigit():
            selected = [int(request.args["rating"])]
    else:
        if form.validate_on_submit():
            error = _attempt(services.answer_comments, current_user, municipality.code, selected, form.language.data,
                             form.body.data, form.promise.data, form.promise_due.data)
            if error is None:
                return _send_after(redirect(url_for("answers.staff_answers", done=1), code=303))
            errors = {error.field: error.message}
        else:
            errors = _form_errors(form)
    return render_template("answers/staff_answers.html", m=municipality, form=form, errors=errors,
                           selected=set(selected), comments=queries.staff_comments(municipality.code),
                           promises=queries.open_promises(municipality.code), done=request.args.get("done"),
                           withdrawn=request.args.get("withdrawn"),
                           deadline=queries.constants()["answer_deadline_days"], lang=g.lang, **_names()
                           ), (400 if errors else 200)


@bp.route("/staff/answers/<int:answer_id>/done", methods=["GET", "POST"])
@require_role("lsg_staff")
def mark_done(answer_id: int):
    try:
        answer = services.staff_answer(current_user, answer_id)
    except NotFound:
        abort(404)
    form = DoneForm()
    errors: dict = {}
    if request.method == "POST":
        if form.validate_on_submit():
            upload = form.photo.data
            data = upload.read() if upload is not None and getattr(upload, "filename", "") else None
            error = _attempt(services.mark_done, current_user, answer.id, form.note.data,
                             upload.filename if data else None, data)
            if error is None:
                return redirect(url_for("answers.staff_answers", done=1), code=303)
            errors = {error.field: error.message}
        else:
            errors = _form_errors(form)
    view = queries._views([answer])[0]
    return render_template("answers/mark_done.html", m=_own_municipality(), view=view, form=form, errors=errors,
                           lang=g.lang, **_names()), (400 if errors else 200)


@bp.route("/staff/answers/<int:answer_id>/edit", methods=["GET", "POST"])
@require_role("lsg_staff")
def edit_answer(answer_id: int):
    """Correct a published answer or commitment (the public page marks it edited; the audit keeps
    the before and after), or withdraw it (a second form, posted to ``withdraw_answer``)."""
    try:
        answer = services.staff_answer(current_user, answer_id)
    except NotFound:
        abort(404)
    commitment = answer.kind == "commitment"
    form = CommitmentForm() if commitment else AnswerForm()
    errors: dict = {}
    if request.method == "GET":
        form.language.data, form.body.data, form.promise_due.data = answer.language, answer.body, answer.promise_due
        if not commitment:
            form.promise.data = answer.promise
    elif form.validate_on_submit():
        error = _attempt(services.edit_answer, current_user, answer.id, form.language.data, form.body.data,
                         None if commitment else form.promise.data, form.promise_due.data)
        if error is None:
            return redirect(url_for("answers.staff_answers", done=1), code=303)
        errors = {error.field: error.message}
    else:
        errors = _form_errors(form)
    return _edit_page(answer, form, WithdrawForm(formdata=None), errors)


def _edit_page(answer: Answer, form, withdraw, errors: dict):
    return render_template("answers/edit_answer.html", m=_own_municipality(), view=queries._views([answer])[0],
                           form=form, withdraw=withdraw, errors=errors, commitment=answer.kind == "commitment",
                           lang=g.lang, **_names()), (400 if errors else 200)


@bp.post("/staff/answers/<int:answer_id>/withdraw")
@require_role("lsg_staff")
def withdraw_answer(answer_id: int):
    try:
        answer = services.staff_answer(current_user, answer_id)
    except NotFound:
        abort(404)
    withdraw = WithdrawForm()
    if not withdraw.validate_on_submit():
        form = (CommitmentForm if answer.kind == "commitment" else AnswerForm)(formdata=None, obj=answer)
        problems = _form_errors(withdraw)
        return _edit_page(answer, form, withdraw, {"confirm": problems.get("confirm") or " ".join(problems.values())})
    services.withdraw_answer(current_user, answer.id)
    return redirect(url_for("answers.staff_answers", withdrawn=1), code=303)


@bp.route("/staff/plan", methods=["GET", "POST"])
@require_role("lsg_staff")
def action_plan():
    from ..scorecards import methodology as mth
    from ..scorecards.scorecard import build

    municipality = _own_municipality()
    period = current_period()
    card = build(municipality, period, mth.get(None))
    items = queries.action_plan(card)
    form = CommitmentForm()
    errors: dict = {}
    chosen = request.values.get("item", "")
    if request.method == "GET":
        form.language.data = g.lang
    else:
        kind, _, code = chosen.partition(":")
        if form.validate_on_submit():
            error = _attempt(services.commit_action, current_user, municipality.code, period, form.language.data,
                             form.body.data, form.promise_due.data, subject_code=code if kind == "subject" else None,
                             criterion_code=code if kind == "criterion" else None)
            if error is None:
                return redirect(url_for("answers.action_plan", done=1), code=303)
            errors = {error.field: error.message}
        else:
            errors = _form_errors(form)
    commitments = [v for v in queries.public_answers(municipality.code, limit=50) if v.answer.kind == "commitment"]
    return render_template("answers/action_plan.html", m=municipality, items=items, form=form, errors=errors,
                           chosen=chosen, commitments=commitments, period=period, done=request.args.get("done"),
                           lang=g.lang, **_names()), (400 if errors else 200)


# --- public -----------------------------------------------------------------------------------------

def _public_municipality(code: str) -> Municipality:
    municipality = territory_queries.municipality(code) if SOATE.fullmatch(code) else None
    if municipality is None:
        abort(404)
    return municipality


def _back(municipality: Municipality, **args):
    target = request.form.get("next")
    if target == "form":
        subject = request.form.get("subject", "")
        if re.fullmatch(r"[A-Z0-9-]{1,40}", subject):
            return redirect(url_for("ratings.rate", code=municipality.code, subject=subject, **args) + "#my-answers",
                            code=303)
    return redirect(url_for("scorecards.scorecard", code=municipality.code, **args) + "#my-answers", code=303)


@public_bp.post("/m/<code>/answers/<int:answer_id>/judge")
@limiter.limit("30 per hour")
def judge(code: str, answer_id: int):
    municipality = _public_municipality(code)
    form = JudgeForm()
    if not form.validate_on_submit():
        abort(400)
    error = _attempt(services.judge, current_respondent(create=False), answer_id,
                     request.form.get("rating", type=int) or 0, helpful=request.form.get("helpful"),
                     done=request.form.get("done"))
    return _back(municipality, judged=error.code if error else "ok")


@public_bp.post("/m/<code>/answers/sms")
@limiter.limit("10 per hour")
def sms_opt_in(code: str):
    municipality = _public_municipality(code)
    form = SmsForm()
    if not form.validate_on_submit():
        return _back(municipality, sms="invalid")
    error = _attempt(services.opt_in_sms, current_respondent(create=False), request.form.get("rating", type=int) or 0,
                     form.phone.data, g.lang)
    if error is not None:
        return _back(municipality, sms=error.code)
    return _send_after(_back(municipality, sms="ok"))


@public_bp.get("/answers/<int:answer_id>/photo")
def photo(answer_id: int):
    answer = db.session.get(Answer, answer_id)
    if answer is None or answer.photo_data is None or answer.withdrawn_at is not None:
        abort(404)
    response = send_file(io.BytesIO(answer.photo_data), mimetype=answer.photo_type, max_age=3600,
                         download_name=answer.photo_name or "photo")
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@public_bp.get("/m/<code>/report")
def report(code: str):
    """The kenesh report: printable A4, per municipality and period, in the page's language. Kept
    whole like the municipality's public page, under what its card rests on (scorecards/kept.py: its
    comments, answers, evaluations and their responses, and transparency all bump the versions the
    card's key holds; per host, as its printed address names it)."""
    from ..scorecards import kept
    from ..scorecards.views import requested_period

    return kept.keep_page(kept.card_part(code, requested_period()), lambda: _report_page(code))


def _report_page(code: str):
    from ..evaluation import queries as evaluation_queries
    from ..scorecards.views import scorecard_context

    municipality = _public_municipality(code)
    context = scorecard_context(municipality)
    period = context["period"]
    evaluations = [e for e in evaluation_queries.for_municipality(municipality.code) if e.period == period]
    return render_template("answers/report.html", m=municipality, lang=g.lang, **context,
                           issues=queries.top_issues(municipality.code, period),
                           answer_views=queries.public_answers(municipality.code, limit=100, period=period),
                           evaluations=evaluations)


@public_bp.app_template_global()
def answers_of(code: str, limit: int = 10):
    """For the municipality's public page: its latest answers and commitments."""
    return queries.public_answers(code, limit=limit)


@public_bp.app_template_global()
def my_comments_of(code: str, subject_code: str | None = None):
    """For the public page and the rating form: this device's own comments and their answers."""
    return queries.my_comments(current_respondent(create=False), code, subject_code)


@public_bp.app_template_global()
def comment_answer_statuses(rating_ids, parameters: dict | None = None) -> dict:
    """For the comment list of the public page: rating id → answered / overdue / awaiting, with the
    answer deadline of the methodology version the page is computed with."""
    return queries.comment_statuses(rating_ids, parameters)


@public_bp.app_template_global()
def responsiveness_constants(parameters: dict | None = None) -> dict:
    """For the methodology page: the responsiveness constants of a methodology version."""
    return queries.constants(parameters)


@bp.app_template_global()
def overdue_comments_of(code: str) -> int:
    """For the staff home: how many published comments wait longer than the deadline."""
    return queries.overdue_comments(code)


@public_bp.app_template_global()
def answer_forms():
    return {"judge": JudgeForm(), "sms": SmsForm()}

"""Assisted surveys: monitors enter paper questionnaires and print blank ones (monitors, admins)."""
from flask import Blueprint, abort, g, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import SelectField, StringField
from wtforms.validators import Optional

from ..accounts.policy import can_see_municipality, ensure, require_role
from ..catalog import queries as catalog_queries
from ..db import db
from ..i18n import LANGUAGES, pull_lang, push_lang
from ..ratings.forms import AGE_LABELS, SEX_LABELS, _choices
from ..ratings.models import AGE_BANDS
from ..ratings.services import current_period
from ..security import Form
from ..territory import queries as territory_queries
from ..transparency.services import MAX_PRIORITIES, priority_subjects
from . import assisted

bp = Blueprint("assisted", __name__, url_prefix="/<lang>", template_folder="templates")
bp.url_value_preprocessor(pull_lang)
bp.url_defaults(push_lang)

PRINT_MAX = 200
CHANNEL_NAMES = {"web": _l("Website"), "offline_web": _l("Website, sent later (offline)"),
                 "sms": _l("SMS and messengers"), "assisted": _l("Paper questionnaires")}


@bp.app_context_processor
def channel_helpers():
    from .queries import channel_counts

    def counts(municipality_code: str, period: int | None):
        # The scorecard's period when the page has one, else the current year.
        return channel_counts(municipality_code, period or current_period())

    return {"channel_counts": counts, "channel_names": CHANNEL_NAMES}


class PaperEntryForm(Form):
    number = StringField(_l("Questionnaire number"))
    sex = SelectField(_l("Sex"), choices=_choices(SEX_LABELS, _l("Not answered")), validators=[Optional()])
    age_band = SelectField(_l("Age"), choices=_choices({a: AGE_LABELS[a] for a in AGE_BANDS}, _l("Not answered")),
                           validators=[Optional()])


def _municipality(code: str):
    municipality = territory_queries.municipality(code)
    ensure(municipality is not None and municipality.is_current and can_see_municipality(current_user, municipality))
    return municipality


@bp.route("/m/<code>/paper", methods=["GET", "POST"])
@require_role("monitor", "admin")
def entry(code: str):
    municipality = _municipality(code)
    subjects = catalog_queries.citizen_subjects(municipality.kind)
    form = PaperEntryForm(formdata=request.form if request.method == "POST" else None)
    errors: dict[str, str] = {}
    scores = {s.code: request.form.get(f"score-{s.code}", "") for s in subjects} if request.method == "POST" else {}
    issues = priority_subjects(municipality)
    chosen = [request.form.get(f"priority-{i}", "") for i in range(1, MAX_PRIORITIES + 1)]
    if request.method == "POST" and form.validate():
        data = assisted.PaperInput(number=form.number.data, scores=scores, sex=form.sex.data, age_band=form.age_band.data,
                                   priorities=chosen)
        try:
            paper = assisted.enter(municipality, data, current_user.id, g.get("staff_municipality_code"))
        except assisted.PaperFormError as error:
            db.session.rollback()
            errors[error.field] = str(error.message)
        else:
            count = sum(1 for value in scores.values() if value.strip())
            return redirect(url_for("assisted.entry", code=municipality.code, entered=paper.number, n=count), code=303)
    period = current_period()
    line = {s.code: n for n, s in enumerate(subjects, start=1)}
    return render_template("channels/paper_entry.html", m=municipality, subjects=subjects, form=form, scores=scores,
                           issues=[(line.get(i.code), i) for i in issues], chosen=chosen,
                           errors=errors, lang=g.lang, period=period, entered=assisted.entered(municipality.code, period),
                           last=request.args.get("entered"), last_n=request.args.get("n", type=int)), \
        400 if errors else 200


@bp.get("/m/<code>/paper/print")
@require_role("monitor", "admin")
def print_forms(code: str):
    municipality = _municipality(code)
    first = request.args.get("first", 1, type=int)
    count = request.args.get("count", 10, type=int)
    if not (1 <= first <= 10**6 and 1 <= count <= PRINT_MAX):
        abort(400)
    return render_template("channels/paper_print.html", m=municipality, numbers=range(first, first + count),
                           subjects=catalog_queries.citizen_subjects(municipality.kind), languages=LANGUAGES,
                           issue_codes={s.code for s in priority_subjects(municipality)},
                           lang=g.lang, period=current_period(), sex_labels=SEX_LABELS,
                           age_labels={a: AGE_LABELS[a] for a in AGE_BANDS})

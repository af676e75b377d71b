"""Routes of the admin package (under /<lang>/admin/): users, periods, the catalog, the registry.

Every route is for administrators only; every change is audited with its old and new values.
"""
import datetime as dt

from flask import Blueprint, abort, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import SelectChoice

from ..accounts import services as accounts
from ..accounts.models import ROLES, User
from ..accounts.policy import require_role
from ..catalog import periods
from ..catalog.models import Agency, Criterion, StateIndicator, Subject
from ..db import db
from ..i18n import pull_lang, push_lang
from ..territory import queries as territory_queries
from ..territory.models import NAME_CONFIDENCES, Municipality
from ..territory.names import describe_confidence, describe_method
from ..territory.search import search_municipalities
from . import services
from .forms import CriterionForm, IndicatorForm, MunicipalityNamesForm, PeriodOpenForm, SubjectForm, UserCreateForm, UserEditForm, VillageNamesForm

bp = Blueprint("admin", __name__, url_prefix="/<lang>", template_folder="templates")
bp.add_app_template_filter(describe_method, "name_method")
bp.add_app_template_filter(describe_confidence, "name_confidence")
REGISTRY_PAGE_SIZE = 50
bp.url_value_preprocessor(pull_lang)
bp.url_defaults(push_lang)

SUBJECT_KINDS = ("local_issue", "municipal_service", "delegated_power")


def _actor() -> int:
    return current_user.id


def _page(template: str, status: int = 200, **context):
    return render_template(f"admin/{template}", lang=g.lang, section=template.split(".")[0].split("_")[0],
                           **context), status


def _field_error(form, error) -> None:
    field = getattr(form, error.field, None)
    if field is None:
        field = getattr(form, "municipality", None) or next(iter(form))
    field.errors = list(field.errors) + [error.message]


# Home ------------------------------------------------------------------------------------------

@bp.get("/admin/")
@require_role("admin")
def home():
    return _page("home.html", counts=services.counts(), period=periods.current_open_period())


# Users -----------------------------------------------------------------------------------------

def _scope_choices(form) -> None:
    lang = g.lang
    agencies = db.session.scalars(select(Agency).order_by(Agency.code)).all()
    form.agency.choices = [SelectChoice("", "—")] + [SelectChoice(a.code, f"{a.short(lang)} · {a.name(lang)}")
                                                     for a in agencies]
    form.region.choices = [SelectChoice("", "—")] + [SelectChoice(r.code, r.name(lang))
                                                     for r in territory_queries.regions()]


def _scope_of(form) -> dict:
    return {"municipalities": form.municipality_codes(), "agency": form.agency.data or None,
            "region": form.region.data or None}


@bp.get("/admin/users")
@require_role("admin")
def users():
    role = request.args.get("role")
    stmt = select(User).options(selectinload(User.municipalities)).order_by(User.email)
    if role in ROLES:
        stmt = stmt.where(User.role == role)
    return _page("users.html", users=db.session.scalars(stmt).all(), role=role if role in ROLES else None,
                 roles=ROLES)


@bp.route("/admin/users/new", methods=["GET", "POST"])
@require_role("admin")
def user_new():
    form = UserCreateForm()
    _scope_choices(form)
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate():
            try:
                user = accounts.create_user(form.email.data, form.role.data, form.password.data, name=form.name.data,
                                            actor_id=_actor(), **_scope_of(form))
            except accounts.AccountError as error:
                db.session.rollback()
                _field_error(form, error)
            else:
                return redirect(url_for("admin.user_edit", user_id=user.id, saved=1), code=303)
    form.password.data = ""
    return _page("user_new.html", status, form=form, min_length=accounts.min_password_length())


def _user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@require_role("admin")
def user_edit(user_id: int):
    user = _user(user_id)
    form = UserEditForm(formdata=request.form if request.method == "POST" else None)
    _scope_choices(form)
    status = 200
    if request.method == "GET":
        form.name.data = user.name
        form.role.data = user.role
        form.agency.data = user.agency_code or ""
        form.region.data = user.region_code or ""
        codes = [user.municipality_code] if user.municipality_code else \
            sorted(link.municipality_code for link in user.municipalities)
        form.municipality.data = " ".join(codes)
    else:
        status = 400
        if form.validate():
            try:
                accounts.update_user(user, role=form.role.data, name=form.name.data, actor_id=_actor(),
                                     **_scope_of(form))
            except accounts.AccountError as error:
                db.session.rollback()
                user = _user(user_id)
                _field_error(form, error)
            else:
                return redirect(url_for("admin.user_edit", user_id=user.id, saved=1), code=303)
    return _page("user_edit.html", status, form=form, user=user, saved=request.args.get("saved") == "1",
                 sessions=accounts.open_session_count(user), is_self=user.id == current_user.id)


def _user_action(user_id: int, action) -> object:
    user = _user(user_id)
    action(user)
    return redirect(url_for("admin.user_edit", user_id=user.id, saved=1), code=303)


@bp.post("/admin/users/<int:user_id>/disable")
@require_role("admin")
def user_disable(user_id: int):
    if user_id == current_user.id:
        abort(400)  # an administrator cannot lock themselves out
    return _user_action(user_id, lambda user: accounts.set_active(user, False, actor_id=_actor()))


@bp.post("/admin/users/<int:user_id>/enable")
@require_role("admin")
def user_enable(user_id: int):
    return _user_action(user_id, lambda user: accounts.set_active(user, True, actor_id=_actor()))


@bp.post("/admin/users/<int:user_id>/end-sessions")
@require_role("admin")
def user_end_sessions(user_id: int):
    return _user_action(user_id, lambda user: accounts.end_all_sessions_of(user, actor_id=_actor()))


@bp.post("/admin/users/<int:user_id>/reset-totp")
@require_role("admin")
def user_reset_totp(user_id: int):
    return _user_action(user_id, lambda user: accounts.reset_totp(user, actor_id=_actor()))


# Periods ---------------------------------------------------------------------------------------

def _this_year() -> int:
    return dt.datetime.now(dt.timezone(dt.timedelta(hours=6))).year  # Bishkek time, as ratings use


@bp.get("/admin/periods")
@require_role("admin")
def periods_list(form=None, status=200):
    form = form or PeriodOpenForm(formdata=None, year=_this_year())
    return _page("periods.html", status, periods=periods.all_periods(), form=form, this_year=_this_year(),
                 error=None)


@bp.post("/admin/periods")
@require_role("admin")
def period_open():
    form = PeriodOpenForm()
    if form.validate():
        if form.year.data > _this_year() + 1:
            form.year.errors = list(form.year.errors) + [_year_too_far()]
        else:
            try:
                periods.open_period(form.year.data, actor_id=_actor())
            except periods.PeriodClosed as error:
                db.session.rollback()
                form.year.errors = list(form.year.errors) + [error.message]
            else:
                return redirect(url_for("admin.periods_list"), code=303)
    return periods_list(form, 400)


def _year_too_far():
    return _("A period can be opened at most one year ahead.")


@bp.post("/admin/periods/<int:year>/close")
@require_role("admin")
def period_close(year: int):
    if periods.get_period(year) is None:
        abort(404)
    try:
        periods.close_period(year, actor_id=_actor())
    except periods.PeriodClosed:
        db.session.rollback()
    return redirect(url_for("admin.periods_list"), code=303)


# Catalog ---------------------------------------------------------------------------------------

@bp.get("/admin/catalog")
@require_role("admin")
def catalog():
    subjects = db.session.scalars(select(Subject).order_by(Subject.kind, Subject.position, Subject.code)).all()
    groups = [(kind, [s for s in subjects if s.kind == kind]) for kind in SUBJECT_KINDS]
    return _page("catalog.html", groups=groups,
                 criteria=db.session.scalars(select(Criterion).order_by(Criterion.position)).all(),
                 indicators=db.session.scalars(select(StateIndicator).order_by(StateIndicator.position)).all())


CATALOG_KINDS = {
    "subject": (Subject, SubjectForm, ("name_ky", "name_ru", "description_ky", "description_ru")),
    "criterion": (Criterion, CriterionForm, ("name_ky", "name_ru", "question_ky", "question_ru")),
    "indicator": (StateIndicator, IndicatorForm, ("name_ky", "name_ru", "description_ky", "description_ru")),
}


@bp.route("/admin/catalog/<kind>/<code>", methods=["GET", "POST"])
@require_role("admin")
def catalog_edit(kind: str, code: str):
    if kind not in CATALOG_KINDS:
        abort(404)
    model, form_class, fields = CATALOG_KINDS[kind]
    entry = db.session.get(model, code)
    if entry is None:
        abort(404)
    form = form_class(formdata=request.form if request.method == "POST" else None, obj=entry)
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate():
            services.edit_texts(entry, kind, code, {f: getattr(form, f).data for f in fields}, actor_id=_actor())
            return redirect(url_for("admin.catalog_edit", kind=kind, code=code, saved=1), code=303)
    return _page("catalog_edit.html", status, form=form, entry=entry, kind=kind,
                 saved=request.args.get("saved") == "1")


@bp.post("/admin/catalog/subject/<code>/retire")
@require_role("admin")
def subject_retire(code: str):
    subject = db.session.get(Subject, code)
    if subject is None:
        abort(404)
    services.set_subject_retired(subject, request.form.get("retired") == "1", actor_id=_actor())
    return redirect(url_for("admin.catalog_edit", kind="subject", code=code, saved=1), code=303)


# Registry --------------------------------------------------------------------------------------

@bp.get("/admin/registry")
@require_role("admin")
def registry():
    """Find a unit, and review names by confidence (municipalities and villages, low first)."""
    query = (request.args.get("q") or "").strip()[:100]
    confidence = request.args.get("confidence", "low")
    confidence = confidence if confidence in NAME_CONFIDENCES else None
    try:
        page = max(1, min(int(request.args.get("page", 1)), 10**4))
    except ValueError:
        page = 1
    results, unit = [], None
    if query.isdigit() and len(query) == 14:
        unit = services.find_unit(query)
    elif query:
        results = search_municipalities(query, limit=30, lang=g.lang)
    names, total = territory_queries.names_by_confidence(confidence, query, page=page, per_page=REGISTRY_PAGE_SIZE)
    return _page("registry.html", query=query, results=results, unit=unit, names=names, total=total,
                 confidence=confidence or "all", page=page, pages=max(1, -(-total // REGISTRY_PAGE_SIZE)),
                 confidences=NAME_CONFIDENCES)


@bp.route("/admin/registry/<code>", methods=["GET", "POST"])
@require_role("admin")
def registry_edit(code: str):
    unit = services.find_unit(code) if code.isdigit() else None
    if unit is None:
        abort(404)
    form_class = MunicipalityNamesForm if isinstance(unit, Municipality) else VillageNamesForm
    form = form_class(formdata=request.form if request.method == "POST" else None, obj=unit)
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate():
            services.rename_unit(unit, {field.name: field.data for field in form if field.name != "csrf_token"},
                                 actor_id=_actor())
            return redirect(url_for("admin.registry_edit", code=code, saved=1), code=303)
    villages = unit.villages if isinstance(unit, Municipality) else []
    return _page("registry_edit.html", status, form=form, unit=unit, villages=villages,
                 is_municipality=isinstance(unit, Municipality), saved=request.args.get("saved") == "1")


"""What administrators change: users, periods, catalog texts, registry names — each change audited."""
import json

import pytest
from sqlalchemy import select

from feedback.accounts.models import User, UserSession
from feedback.audit.models import AuditEntry
from feedback.catalog import periods
from feedback.catalog.models import Period, Subject
from feedback.catalog.queries import citizen_subjects
from feedback.territory.models import Municipality, Village
from feedback.territory.search import fold
from tests.accounts.util import post
from tests.helpers import fresh_get

AK_BULUN = "41702205805000"
GOOD = "тоолор жана суулар 2025"


@pytest.fixture
def admin(client, create_user, sign_in):
    user = create_user("admin")
    sign_in(client, user)
    return user


def audit(session, action, entity_id=None):
    stmt = select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id.desc())
    if entity_id is not None:
        stmt = stmt.where(AuditEntry.entity_id == str(entity_id))
    return session.scalars(stmt).first()


def test_home_counts(app, client, admin, create_user):
    create_user("moderator")
    html = fresh_get(app, client, "/ru/admin/").get_data(as_text=True)
    assert "Комментарии, ожидающие модерации" in html and "Модератор" in html


def test_create_user_in_the_web(app, client, admin, session):
    response = post(app, client, "/ru/admin/users/new", {
        "email": "new.staff@example.kg", "name": "Бакыт", "role": "lsg_staff", "municipality": AK_BULUN,
        "agency": "", "region": "", "password": GOOD})
    assert response.status_code == 303
    user = session.scalar(select(User).where(User.email == "new.staff@example.kg"))
    assert user.municipality_code == AK_BULUN and user.password_hash.startswith("$argon2")
    entry = audit(session, "user.create", user.id)
    assert entry.actor_id == admin.id and json.loads(entry.after)["role"] == "lsg_staff"


@pytest.mark.parametrize("data, message", [
    ({"role": "lsg_staff", "municipality": ""}, "ровно один муниципалитет"),
    ({"role": "state_evaluator"}, "нужно указать ведомство"),
    ({"role": "lsg_staff", "municipality": AK_BULUN, "password": "qwerty123456"}, "распространён"),
    ({"role": "lsg_staff", "municipality": AK_BULUN, "password": "short"}, "не меньше 12"),
])
def test_create_user_errors(app, client, admin, session, data, message):
    form = {"email": "bad@example.kg", "name": "", "municipality": "", "agency": "", "region": "", "password": GOOD,
            **data}
    response = post(app, client, "/ru/admin/users/new", form)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert session.scalar(select(User).where(User.email == "bad@example.kg")) is None


def test_edit_role_and_scope_ends_sessions(app, client, admin, create_user, sign_in, session):
    user = create_user("lsg_staff", municipality_code=AK_BULUN)
    theirs = sign_in(app.test_client(), user)
    response = post(app, client, f"/ru/admin/users/{user.id}", {
        "name": "", "role": "moderator", "municipality": "", "agency": "", "region": "41702000000000"})
    assert response.status_code == 303
    session.refresh(user)
    assert user.role == "moderator" and user.region_code == "41702000000000" and user.municipality_code is None
    assert fresh_get(app, theirs, "/ru/account").status_code == 302
    entry = audit(session, "user.update", user.id)
    assert json.loads(entry.before)["role"] == "lsg_staff" and json.loads(entry.after)["role"] == "moderator"


def test_monitor_with_municipalities(app, client, admin, create_user, session):
    user = create_user("monitor", region_code="41702000000000")
    other = session.scalars(select(Municipality.code).where(Municipality.code != AK_BULUN)).first()
    response = post(app, client, f"/ru/admin/users/{user.id}", {
        "name": "", "role": "monitor", "municipality": f"{AK_BULUN}, {other}", "agency": "", "region": ""})
    assert response.status_code == 303
    session.refresh(user)
    assert sorted(link.municipality_code for link in user.municipalities) == sorted([AK_BULUN, other])
    assert user.region_code is None


def test_disable_enable_end_sessions_reset_totp(app, client, admin, create_user, sign_in, session):
    user = create_user("lsg_staff", municipality_code=AK_BULUN, totp_secret="JBSWY3DPEHPK3PXP", totp_enabled=True)
    theirs = sign_in(app.test_client(), user)
    page = f"/ru/admin/users/{user.id}"
    assert post(app, client, f"{page}/end-sessions", {}, token_from=page).status_code == 303
    assert fresh_get(app, theirs, "/ru/account").status_code == 302
    assert audit(session, "user.end_sessions", user.id) is not None

    sign_in(theirs, user)
    assert post(app, client, f"{page}/disable", {}, token_from=page).status_code == 303
    session.refresh(user)
    assert not user.active
    assert fresh_get(app, theirs, "/ru/account").status_code == 302
    assert json.loads(audit(session, "user.disable", user.id).after) == {"active": False}
    assert post(app, client, f"{page}/enable", {}, token_from=page).status_code == 303
    session.refresh(user)
    assert user.active

    assert post(app, client, f"{page}/reset-totp", {}, token_from=page).status_code == 303
    session.refresh(user)
    assert not user.totp_enabled and user.totp_secret is None
    assert audit(session, "user.totp_reset", user.id) is not None


def test_admin_cannot_disable_themselves(app, client, admin, session):
    page = f"/ru/admin/users/{admin.id}"
    assert post(app, client, f"{page}/disable", {}, token_from=page).status_code == 400
    session.refresh(admin)
    assert admin.active


# Periods ---------------------------------------------------------------------------------------

def test_empty_periods_page_offers_this_year(app, client, admin, session):
    for period in session.scalars(select(Period)):
        session.delete(period)
    session.flush()
    html = fresh_get(app, client, "/ru/admin/periods").get_data(as_text=True)
    assert "Ещё не открыт ни один период" in html
    assert "Открыть период 20" in html


def test_open_and_close_a_period(app, client, admin, session):
    year = 2024
    assert periods.get_period(year) is None or session.delete(periods.get_period(year)) is None
    session.flush()
    assert post(app, client, "/ru/admin/periods", {"year": year}).status_code == 303
    assert periods.ensure_open(year).year == year
    assert audit(session, "period.open", year) is not None
    assert post(app, client, f"/ru/admin/periods/{year}/close", {}, token_from="/ru/admin/periods").status_code == 303
    session.expire_all()
    with pytest.raises(periods.PeriodClosed) as error:
        periods.ensure_open(year)
    assert error.value.exists and error.value.year == year
    assert json.loads(audit(session, "period.close", year).after) == {"status": "closed"}
    # A closed period cannot be opened again.
    response = post(app, client, "/ru/admin/periods", {"year": year})
    assert response.status_code == 400 and "закрыт" in response.get_data(as_text=True)
    assert not periods.is_open(year)


def test_period_helpers(app, session):
    for period in session.scalars(select(Period)):
        session.delete(period)
    session.flush()
    assert periods.current_open_period() is None
    with pytest.raises(periods.PeriodClosed) as error:
        periods.ensure_open(2023)
    assert not error.value.exists
    periods.open_period(2023)
    periods.open_period(2024)
    assert periods.open_period(2024).year == 2024  # idempotent
    assert periods.current_open_period().year == 2024
    periods.close_period(2024)
    assert periods.current_open_period().year == 2023
    with pytest.raises(periods.PeriodClosed):
        periods.close_period(2024)


def test_year_too_far_ahead(app, client, admin):
    response = post(app, client, "/ru/admin/periods", {"year": 2099})
    assert response.status_code == 400


# Catalog ---------------------------------------------------------------------------------------

def test_edit_subject_texts(app, client, admin, session):
    subject = citizen_subjects("aiyl_aimak")[0]
    old = subject.name_ru
    response = post(app, client, f"/ru/admin/catalog/subject/{subject.code}", {
        "name_ky": subject.name_ky, "name_ru": "  Новое   название  ", "description_ky": subject.description_ky,
        "description_ru": subject.description_ru})
    assert response.status_code == 303
    session.refresh(subject)
    assert subject.name_ru == "Новое название"
    entry = audit(session, "subject.edit", subject.code)
    assert json.loads(entry.before) == {"name_ru": old} and json.loads(entry.after) == {"name_ru": "Новое название"}


def test_empty_name_refused(app, client, admin, session):
    subject = citizen_subjects("aiyl_aimak")[0]
    response = post(app, client, f"/ru/admin/catalog/subject/{subject.code}", {
        "name_ky": "", "name_ru": subject.name_ru, "description_ky": "", "description_ru": ""})
    assert response.status_code == 400


def test_edit_criterion_and_indicator(app, client, admin, session):
    from feedback.catalog.models import Criterion, StateIndicator

    criterion = session.scalars(select(Criterion)).first()
    response = post(app, client, f"/ru/admin/catalog/criterion/{criterion.code}", {
        "name_ky": "Жаңы ат", "name_ru": criterion.name_ru, "question_ky": criterion.question_ky,
        "question_ru": criterion.question_ru})
    assert response.status_code == 303
    assert audit(session, "criterion.edit", criterion.code) is not None
    indicator = session.scalars(select(StateIndicator)).first()
    response = post(app, client, f"/ru/admin/catalog/indicator/{indicator.code}", {
        "name_ky": indicator.name_ky, "name_ru": indicator.name_ru, "description_ky": indicator.description_ky,
        "description_ru": "Новое описание"})
    assert response.status_code == 303
    session.refresh(indicator)
    assert indicator.description_ru == "Новое описание"
    assert fresh_get(app, client, "/ru/admin/catalog/nothing/x").status_code == 404


def test_retired_subject_disappears_from_the_rating_choice(app, client, admin, session):
    subject = citizen_subjects("aiyl_aimak")[0]
    rate = f"/ru/m/{AK_BULUN}/rate"
    assert f"/rate/{subject.code}" in fresh_get(app, client, rate).get_data(as_text=True)
    page = f"/ru/admin/catalog/subject/{subject.code}"
    assert post(app, client, f"{page}/retire", {"retired": "1"}, token_from=page).status_code == 303
    session.refresh(subject)
    assert subject.retired
    assert f"/rate/{subject.code}" not in fresh_get(app, client, rate).get_data(as_text=True)
    assert fresh_get(app, client, f"{rate}/{subject.code}").status_code == 404
    assert audit(session, "subject.retire", subject.code) is not None
    assert post(app, client, f"{page}/retire", {"retired": "0"}, token_from=page).status_code == 303
    assert f"/rate/{subject.code}" in fresh_get(app, client, rate).get_data(as_text=True)
    assert audit(session, "subject.unretire", subject.code) is not None
    session.refresh(subject)
    assert session.get(Subject, subject.code).retired is False


# Registry --------------------------------------------------------------------------------------

def test_registry_search(app, client, admin):
    html = fresh_get(app, client, "/ru/admin/registry?q=ak-bulun").get_data(as_text=True)
    assert f"/ru/admin/registry/{AK_BULUN}" in html
    html = fresh_get(app, client, f"/ru/admin/registry?q={AK_BULUN}").get_data(as_text=True)
    assert f"/ru/admin/registry/{AK_BULUN}" in html
    assert fresh_get(app, client, "/ru/admin/registry/41799999999999").status_code == 404


def test_correct_a_derived_kyrgyz_name(app, client, admin, session):
    municipality = session.scalars(select(Municipality).where(Municipality.name_ky_derived.is_(True))).first()
    assert municipality is not None
    old = municipality.name_ky
    response = post(app, client, f"/ru/admin/registry/{municipality.code}", {
        "name_ky": "Түзөтүлгөн-Аталыш", "name_ru": municipality.name_ru,
        "short_name_ky": municipality.short_name_ky, "short_name_ru": municipality.short_name_ru})
    assert response.status_code == 303
    session.refresh(municipality)
    assert municipality.name_ky == "Түзөтүлгөн-Аталыш"
    assert municipality.name_ky_derived is False and municipality.name_ky_method == "correction"
    assert fold("Түзөтүлгөн-Аталыш") in municipality.search_key
    entry = audit(session, "municipality.rename", municipality.code)
    assert json.loads(entry.before)["name_ky"] == old
    assert json.loads(entry.after)["name_ky_method"] == "correction"
    # The public search finds the corrected name.
    html = fresh_get(app, client, "/ky/search?q=%D0%A2%D2%AF%D0%B7%D3%A9%D1%82%D2%AF%D0%BB%D0%B3%D3%A9%D0%BD")
    assert municipality.code in html.get_data(as_text=True)


def test_rename_a_village(app, client, admin, session):
    village = session.scalars(select(Village).where(Village.municipality_code == AK_BULUN)).first()
    response = post(app, client, f"/ru/admin/registry/{village.code}", {
        "name_ky": village.name_ky, "name_ru": "Исправленное"})
    assert response.status_code == 303
    session.refresh(village)
    assert village.name_ru == "Исправленное" and "ispravlenoe" in village.search_key
    assert village.name_ky_method != "correction" or village.name_ky_derived is False
    assert audit(session, "village.rename", village.code) is not None


def test_unchanged_form_writes_no_audit(app, client, admin, session):
    municipality = session.get(Municipality, AK_BULUN)
    before = session.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1))
    post(app, client, f"/ru/admin/registry/{AK_BULUN}", {
        "name_ky": municipality.name_ky, "name_ru": municipality.name_ru,
        "short_name_ky": municipality.short_name_ky, "short_name_ru": municipality.short_name_ru})
    assert session.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1)) == before


def test_audit_chain_stays_valid(app, client, admin, session):
    from feedback.audit.services import verify_chain

    subject = citizen_subjects("aiyl_aimak")[0]
    page = f"/ru/admin/catalog/subject/{subject.code}"
    post(app, client, f"{page}/retire", {"retired": "1"}, token_from=page)
    checked, broken = verify_chain()
    assert checked >= 1 and broken is None


def test_no_session_rows_leak_between_users(session, admin):
    assert session.scalars(select(UserSession).where(UserSession.user_id == admin.id)).all()

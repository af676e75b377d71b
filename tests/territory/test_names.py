"""Confidence of each Kyrgyz place name (kg_names_ky.csv), the corrections file, and the admin
registry's list of names to review."""
import pytest
from sqlalchemy import func, select

from feedback.territory.models import Municipality, Village
from feedback.territory.names import describe_method
from tests.helpers import fresh_get


@pytest.fixture
def admin(client, create_user, sign_in):
    user = create_user("admin")
    sign_in(client, user)
    return user


def test_confidence_is_stored_for_municipalities_and_villages(session):
    assert session.get(Village, "41702205805030").name_ky_confidence == "high"    # source:cod-ab
    assert session.get(Village, "41702205805010").name_ky_confidence == "medium"  # rule:R18
    assert session.get(Municipality, "41703204855000").name_ky_confidence == "low"  # rule:R81
    counts = dict(session.execute(select(Village.name_ky_confidence, func.count()).group_by(Village.name_ky_confidence)).all())
    counts_m = dict(session.execute(select(Municipality.name_ky_confidence, func.count())
                                    .group_by(Municipality.name_ky_confidence)).all())
    low = counts.get("low", 0) + counts_m.get("low", 0)
    # 121 low-confidence names in kg_names_ky.csv, less the two the corrections file settles
    assert low == 119
    assert set(counts) | set(counts_m) == {"high", "medium", "low"}


@pytest.mark.parametrize("code, name_ky", [
    ("41706255822000", "Зергер айыл аймагы"),
    ("41707232862020", "Атай Огонбаев"),
    ("41705236804080", "СССРдин 50 жылдыгы"),
    ("41705236842050", "Кыргызстандын 50 жылдыгы"),
    ("41702210820000", "Дархан айыл аймагы"),
    ("41706226862040", "Төлөйкөн (бөлүгү)"),
])
def test_corrections_settle_the_known_errors(session, code, name_ky):
    unit = session.get(Municipality, code) or session.get(Village, code)
    assert unit.name_ky == name_ky
    assert unit.name_ky_confidence == "high" and unit.name_ky_method == "correction"


def test_a_municipality_and_its_namesake_village_agree(session):
    zerger = session.get(Municipality, "41706255822000")
    assert zerger.short_name_ky == "Зергер" == session.get(Village, "41706255822040").name_ky
    assert session.get(Municipality, "41702210820000").short_name_ky == "Дархан" == \
        session.get(Village, "41702210820010").name_ky
    assert zerger.name_ru == "Заргерский айылный аймак"  # the Russian name is not touched


def test_methods_are_described_in_words(app):
    from flask_babel import force_locale

    with app.test_request_context("/ru/"), force_locale("ru"):
        for method in ("rule:R18", "rule:R99", "rule:R01+R14", "kept-russian", "correction", "source:azattyk.org"):
            text = describe_method(method)
            assert "rule:" not in text and "kept-russian" not in text, text
        assert "R01, R14" in describe_method("rule:R01+R14")


def test_admin_lists_low_confidence_names_first(app, client, admin, session):
    html = fresh_get(app, client, "/ru/admin/registry").get_data(as_text=True)
    first_low = session.scalars(select(Municipality).where(Municipality.name_ky_confidence == "low")
                                .order_by(Municipality.name_ru)).first()
    assert first_low.name_ky in html
    assert "rule:R" not in html and "kept-russian" not in html
    assert "119" in html                            # the count of low-confidence names


def test_admin_names_include_villages_and_are_paginated(app, client, admin):
    first = fresh_get(app, client, "/ru/admin/registry?confidence=medium").get_data(as_text=True)
    second = fresh_get(app, client, "/ru/admin/registry?confidence=medium&page=2").get_data(as_text=True)
    assert 'rel="next"' in first and 'rel="prev"' in second
    codes = lambda html: set(__import__("re").findall(r"/ru/admin/registry/(\d{14})", html))  # noqa: E731
    assert codes(first) and not codes(first) & codes(second)
    assert any(not c.endswith("000") for c in codes(first))  # villages too


def test_admin_names_are_searchable(app, client, admin):
    html = fresh_get(app, client, "/ru/admin/registry?confidence=all&q=Тюрген").get_data(as_text=True)
    assert "/ru/admin/registry/41702205805040" in html   # the village Тюрген / Түргөн


def test_admin_bad_page_number_is_harmless(app, client, admin):
    assert fresh_get(app, client, "/ru/admin/registry?page=abc&confidence=zzz").status_code == 200


def test_an_admin_correction_makes_the_name_sure(app, client, admin, session):
    from tests.accounts.util import post

    village = session.get(Village, "41702205805010")
    assert village.name_ky_confidence == "medium"
    response = post(app, client, f"/ru/admin/registry/{village.code}", {"name_ky": "Ак-Булуң-Жаңы", "name_ru": village.name_ru})
    assert response.status_code == 303
    session.refresh(village)
    assert village.name_ky_confidence == "high"

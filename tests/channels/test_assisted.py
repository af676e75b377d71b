"""Assisted surveys: a monitor enters paper questionnaires; a number is entered once, the ratings are
marked assisted and obey the rules of every rating, and the questionnaire prints in both languages."""
import pytest
from sqlalchemy import select

from feedback.channels.models import PaperForm
from feedback.db import db
from feedback.ratings.models import Rating
from tests.conftest import csrf_token
from tests.ratings.test_views import AK_BULUN, KARAKOL

URL = f"/ru/m/{AK_BULUN}/paper"


@pytest.fixture
def monitor(app, create_user, sign_in):
    client = app.test_client()
    sign_in(client, create_user("monitor", region_code="41702000000000"))
    return client


def enter(client, number, url=URL, **scores):
    page = client.get(url)
    assert page.status_code == 200, page.text
    data = {"csrf_token": csrf_token(page.text), "number": number, "sex": "", "age_band": ""}
    data.update({f"score-{code.replace('_', '-')}": value for code, value in scores.items()})
    return client.post(url, data=data)


def assisted():
    db.session.expire_all()
    return list(db.session.scalars(select(Rating).where(Rating.channel == "assisted").order_by(Rating.subject_code)))


def test_a_questionnaire_becomes_assisted_ratings_of_one_respondent(monitor):
    response = enter(monitor, "0042", LI_WATER="4", LI_ROADS="2", LI_LIGHT="")
    assert response.status_code == 303
    page = monitor.get(response.headers["Location"]).text
    assert "Анкета 42 сохранена: 2 оценки." in page
    water, roads = sorted(assisted(), key=lambda r: r.subject_code, reverse=True)
    assert (water.subject_code, water.overall, roads.subject_code, roads.overall) == ("LI-WATER", 4, "LI-ROADS", 2)
    assert water.respondent_id == roads.respondent_id and water.status == "accepted" and not water.verified
    [paper] = db.session.scalars(select(PaperForm))
    assert (paper.number, paper.respondent_id) == ("42", water.respondent_id)


def test_a_number_cannot_be_entered_twice(monitor):
    assert enter(monitor, "17", LI_WATER="5").status_code == 303
    for again in ("17", "017", " 17 "):
        response = enter(monitor, again, LI_WATER="1", LI_ROADS="1")
        assert response.status_code == 400
        assert "Анкета 17 уже введена." in response.text
    assert [(r.subject_code, r.overall) for r in assisted()] == [("LI-WATER", 5)]


def test_assisted_ratings_obey_the_same_rules(monitor):
    # A score outside 1–5 is refused with the rating's own message, and nothing of the form is kept.
    response = enter(monitor, "5", LI_WATER="4", LI_ROADS="7")
    assert response.status_code == 400 and "Оценка должна быть целым числом от 1 до 5." in response.text
    assert 'value="4"' in response.text  # what was typed stays in the form
    assert assisted() == [] and db.session.scalars(select(PaperForm)).all() == []
    # Nothing answered, no number, a subject that does not apply: refused, nothing stored.
    assert "Введите хотя бы одну оценку" in enter(monitor, "6").text
    assert enter(monitor, "", LI_WATER="3").status_code == 400
    assert assisted() == []


def test_monitors_find_the_entry_from_the_municipality_page(monitor, app):
    from tests.ratings.test_views import Resident

    assert f'href="/ru/m/{AK_BULUN}/paper"' in monitor.get(f"/ru/m/{AK_BULUN}/").text
    assert "/paper" not in Resident(app).get(f"/ru/m/{AK_BULUN}/").text


def test_a_monitor_outside_its_scope_gets_404(app, create_user, sign_in):
    client = app.test_client()
    sign_in(client, create_user("monitor", region_code="41703000000000"))
    assert client.get(URL).status_code == 404
    assert client.get(f"/ru/m/{AK_BULUN}/paper/print").status_code == 404


def test_the_questionnaire_prints_in_both_languages_with_its_numbers(monitor):
    ky = monitor.get(f"/ky/m/{AK_BULUN}/paper/print?first=101&count=3").text
    ru = monitor.get(f"/ru/m/{AK_BULUN}/paper/print?first=101&count=3").text
    for page, water in ((ky, "Ичүүчү суу"), (ru, "Питьевая вода")):
        assert [f"№ {n}" in page for n in (100, 101, 102, 103, 104)] == [False, True, True, True, False]
        assert page.count(water) == 3
    assert "<script" not in ky and "style=" not in ky
    assert monitor.get(f"/ru/m/{AK_BULUN}/paper/print?count=1000").status_code == 400
    city = monitor.get(f"/ru/m/{KARAKOL}/paper/print").text
    assert "Пастбища" not in city  # a city's questionnaire lists only what applies to cities


def test_assisted_ratings_are_counted_and_shown_apart(monitor, app, monkeypatch):
    import re

    from feedback.channels.queries import channel_counts
    from feedback.ratings.services import current_period
    from tests.ratings.test_views import Resident

    monkeypatch.setitem(app.config, "ABUSE_MIN_FILL_SECONDS", 0)
    Resident(app).rate_and_thank(AK_BULUN, "LI-WATER", overall="2")
    enter(monitor, "1", LI_WATER="4")
    enter(monitor, "2", LI_WATER="5")
    rows = {row.channel: (row.n, row.mean) for row in channel_counts(AK_BULUN, current_period())}
    assert rows == {"web": (1, 2.0), "offline_web": (0, None), "sms": (0, None), "assisted": (2, 4.5)}
    page = Resident(app).get(f"/ru/m/{AK_BULUN}/").text
    row = re.search(r'<th scope="row"><a href="([^"]+)">Бумажные анкеты</a></th><td>(\d+)</td><td>([\d,]+)</td>', page)
    assert row and row.groups()[1:] == ("2", "4,50")
    # Shown apart: the channel's name leads to the scorecard of paper ratings alone.
    paper = Resident(app).get(row.group(1).replace("&amp;", "&")).text
    assert "Здесь учитываются только оценки, пришедшие по этому каналу: Бумажные анкеты." in paper
    assert "2 принятые оценки" in paper
    # The scorecard counts every channel alike: three accepted ratings of the water.
    summary = Resident(app).get(f"/api/v1/municipalities/{AK_BULUN}/scorecard").get_json()
    water = next(s for s in summary["citizen"]["subjects"] if s["code"] == "LI-WATER")
    assert water["n"] == 3

"""Residents' budget priorities: the form (no JavaScript needed), once per period with replacement,
the ratings' anti-abuse rules, and the ranking with Wilson intervals hidden below the minimum sample."""
import pytest
from sqlalchemy import select

from feedback.ratings.abuse import Signals
from feedback.ratings.models import Respondent
from feedback.ratings.services import current_period
from feedback.territory.models import Municipality
from feedback.transparency import queries, services
from feedback.transparency.models import BudgetPriority
from tests.conftest import csrf_token
from tests.ratings.test_views import Resident, started

AK_BULUN = "41702205805000"


@pytest.fixture
def patient(app, monkeypatch):
    monkeypatch.setitem(app.config, "ABUSE_MIN_FILL_SECONDS", 0)


def send(resident, lang="ru", **fields):
    page = resident.get(f"/{lang}/m/{AK_BULUN}/budget")
    assert page.status_code == 200
    data = {"csrf_token": csrf_token(page.text), "started": started(page.text), **fields}
    return resident.post(f"/{lang}/m/{AK_BULUN}/budget", data=data)


def rows(session):
    session.expire_all()
    return session.scalars(select(BudgetPriority).where(BudgetPriority.municipality_code == AK_BULUN)).all()


def test_once_per_period_the_second_choice_replaces_the_first(app, session, patient):
    resident = Resident(app, "10.0.0.1")
    response = send(resident, first="LI-WATER", second="LI-ROADS")
    assert response.status_code == 303 and response.headers["Location"].endswith("replaced=0")
    response = send(resident, first="LI-LIGHT")
    assert response.headers["Location"].endswith("replaced=1")
    (row,) = rows(session)
    assert row.codes == ["LI-LIGHT"] and row.replacements == 1 and row.period == current_period()
    assert row.status == "accepted"
    thanks = resident.get(response.headers["Location"])
    assert thanks.status_code == 200


@pytest.mark.parametrize(("fields", "message"), [
    ({}, "Выберите хотя бы один местный вопрос."),
    ({"first": "LI-WATER", "second": "LI-WATER"}, "Выберите каждый вопрос только один раз."),
    ({"first": "DP-MILITARY"}, "Выберите один из предложенных местных вопросов."),
])
def test_bad_input_is_refused_in_the_users_language(app, session, patient, fields, message):
    response = send(Resident(app, "10.0.0.2"), **fields)
    assert response.status_code == 400 and message in response.text
    assert rows(session) == []


def test_anti_abuse_like_ratings(app, session, monkeypatch):
    monkeypatch.setitem(app.config, "ABUSE_MIN_FILL_SECONDS", 3)
    send(Resident(app, "10.0.0.3"), first="LI-WATER")  # sent at once: too fast for a person
    monkeypatch.setitem(app.config, "ABUSE_MIN_FILL_SECONDS", 0)
    send(Resident(app, "10.0.0.4"), first="LI-WATER", website="http://spam")  # the honeypot
    monkeypatch.setitem(app.config, "ABUSE_BURST_PER_ADDRESS", 2)
    for _ in range(3):
        send(Resident(app, "10.0.0.5"), first="LI-ROADS")  # three devices, one address
    assert sorted((r.status, r.quarantine_rule) for r in rows(session)) == [
        ("accepted", None), ("accepted", None), ("quarantined", "burst_address"), ("quarantined", "honeypot"),
        ("quarantined", "too_fast")]


def test_ranking_counts_shares_with_intervals_hidden_below_minimum(session):
    m = session.get(Municipality, AK_BULUN)
    period = current_period()

    def submit(i, codes):
        respondent = Respondent(token=f"prio-{i}")
        session.add(respondent)
        session.flush()
        services.submit_priorities(m, codes, respondent, Signals(AK_BULUN, respondent.id, f"addr-{i}"), period)

    for i in range(9):
        submit(i, ["LI-WATER", "LI-ROADS"] if i < 6 else ["LI-ROADS"])
    hidden = queries.priorities(AK_BULUN, period, 10, 1.645)
    assert hidden["published"] is False and hidden["items"] == [] and hidden["n"] == 9
    submit(9, ["LI-LIGHT", "LI-WATER", "LI-ROADS"])
    shown = queries.priorities(AK_BULUN, period, 10, 1.645)
    assert shown["published"] and shown["n"] == 10
    top = shown["items"][0]
    assert (top["code"], top["n_named"], top["n_first"]) == ("LI-ROADS", 10, 3)
    water = shown["items"][1]
    assert (water["code"], water["n_named"], water["share"], water["n_first"]) == ("LI-WATER", 7, 0.7, 6)
    low, high = water["interval"]
    assert low == pytest.approx(0.4417, abs=1e-3) and high == pytest.approx(0.8731, abs=1e-3)


def test_the_public_page_links_to_the_form_and_the_api_has_the_priorities(app, client):
    page = client.get(f"/ky/m/{AK_BULUN}/")
    assert page.status_code == 200 and f"/ky/m/{AK_BULUN}/budget" in page.text
    card = client.get(f"/api/v1/municipalities/{AK_BULUN}/scorecard").get_json()
    assert card["budget_priorities"]["published"] is False
    assert card["budget_transparency"]["index"] is None and card["budget_transparency"]["reason"] == "not_assessed"


def api(resident, payload, lang="ru"):
    return resident.post(f"/api/v1/budget-priorities?lang={lang}", json=payload, headers={"Origin": "http://localhost"})


def test_api_stores_replaces_and_refuses_bad_input(app, session):
    resident = Resident(app, "10.0.0.9")
    first = api(resident, {"municipality": AK_BULUN, "issues": ["LI-WATER", "LI-ROADS"]})
    assert first.status_code == 201 and first.get_json()["status"] == "accepted"
    again = api(resident, {"municipality": AK_BULUN, "issues": ["LI-ROADS"]})
    assert again.status_code == 200 and again.get_json()["replaced"] is True
    assert [r.codes for r in rows(session)] == [["LI-ROADS"]]
    bad = api(resident, {"municipality": AK_BULUN, "issues": ["LI-WATER", "LI-ROADS", "LI-LIGHT", "LI-WASTE"]}, "ky")
    assert bad.status_code == 422 and bad.get_json()["error"]["message"] == "Үчтөн ашык эмес жергиликтүү маселени тандаңыз."
    assert api(resident, {"municipality": "41799999999999", "issues": ["LI-WATER"]}).status_code == 404
    assert api(resident, {"municipality": AK_BULUN, "issues": ["LI-WATER"], "x": 1}).status_code == 400
    other_site = resident.post("/api/v1/budget-priorities", json={"municipality": AK_BULUN, "issues": ["LI-WATER"]},
                               headers={"Origin": "https://evil.example"})
    assert other_site.status_code == 403
    assert [r.codes for r in rows(session)] == [["LI-ROADS"]]


def test_print_view_puts_priorities_next_to_the_residents_scores(app, session):
    """The kenesh's sheet: "residents rate water 50/100 and 60 % put it first"."""
    from feedback.ratings.services import RatingInput, submit_rating
    from tests.helpers import fresh_get, visible_text

    m = session.get(Municipality, AK_BULUN)
    for i in range(10):
        respondent = Respondent(token=f"print-{i}")
        session.add(respondent)
        session.flush()
        signals = Signals(AK_BULUN, respondent.id, f"print-address-{i}")
        submit_rating(RatingInput(AK_BULUN, "LI-WATER", 3), respondent, signals)
        services.submit_priorities(m, ["LI-WATER"] if i < 6 else ["LI-ROADS", "LI-WATER"], respondent, signals,
                                   current_period())
    session.flush()
    text = visible_text(fresh_get(app, app.test_client(), f"/ru/m/{AK_BULUN}/print").get_data(as_text=True))
    assert "жители оценивают на 50 из 100" in text
    assert "100 % (10)" in text and "60 % (6)" in text  # water named by all ten, first by six
    public = visible_text(fresh_get(app, app.test_client(), f"/ky/m/{AK_BULUN}/").get_data(as_text=True))
    assert "100 % (10)" in public or "100% (10)" in public


def test_many_new_respondents_from_one_address_are_quarantined_like_ratings(app, session, patient, monkeypatch):
    """Issue 13's rule (cleared cookies, fresh browsers): the ratings' helper, counting priorities."""
    monkeypatch.setitem(app.config, "ABUSE_BURST_PER_ADDRESS", 100)  # only the new-respondents rule applies
    monkeypatch.setitem(app.config, "ABUSE_NEW_RESPONDENTS_PER_ADDRESS", 2)
    for _ in range(4):
        send(Resident(app, "10.0.0.7"), first="LI-WATER")  # four fresh browsers behind one address
    send(Resident(app, "10.0.0.8"), first="LI-WATER")  # a fresh browser elsewhere
    assert sorted((r.status, r.quarantine_rule) for r in rows(session)) == [
        ("accepted", None), ("accepted", None), ("accepted", None),
        ("quarantined", "burst_new_respondents"), ("quarantined", "burst_new_respondents")]

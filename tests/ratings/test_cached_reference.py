"""A rating is checked against the registry and the catalog as kept per version of the reference data
(services.reference, the posted form's class and village choices: feedback/cache.py). A change to
either bumps the version in its own transaction, so the very next rating sees it: nothing is checked
against a copy that the database no longer agrees with."""
import datetime as dt

import pytest

from feedback.catalog.models import Criterion, Subject
from feedback.ratings.models import Rating
from feedback.territory.models import Municipality, Village
from tests.ratings.test_views import AK_BULUN, Resident, count, ratings


@pytest.fixture(autouse=True)
def patient_residents(app, monkeypatch):
    monkeypatch.setitem(app.config, "ABUSE_MIN_FILL_SECONDS", 0)


def api(app, address: str, **fields):
    return Resident(app, address).api({"municipality": AK_BULUN, "subject": "LI-WATER", "overall": 4, **fields})


def test_a_subject_retired_after_ratings_were_checked_is_refused_at_once(app, session):
    assert api(app, "10.1.0.1").status_code == 201  # the reference is now kept for this version
    session.get(Subject, "LI-WATER").retired = True
    session.flush()
    answer = api(app, "10.1.0.2")
    assert answer.status_code == 404 and answer.get_json()["error"]["code"] == "unknown_subject"
    assert count() == 1


def test_a_municipality_ended_after_ratings_were_checked_is_refused_at_once(app, session):
    assert api(app, "10.1.0.3").status_code == 201
    session.get(Municipality, AK_BULUN).valid_to = dt.date(2025, 1, 1)
    session.flush()
    answer = api(app, "10.1.0.4")
    assert answer.status_code == 404 and answer.get_json()["error"]["code"] == "unknown_municipality"


def test_a_subject_retired_while_its_form_was_open_is_refused(app, session):
    resident = Resident(app, "10.1.0.5")
    assert resident.rate(AK_BULUN, "LI-WATER", overall="3").status_code == 303
    shown = resident.form(AK_BULUN, "LI-WATER")
    session.get(Subject, "LI-WATER").retired = True
    session.flush()
    assert resident.post(f"/ru/m/{AK_BULUN}/rate/LI-WATER", data={**shown, "overall": "4"}).status_code == 404
    assert [r.overall for r in ratings()] == [3]


def test_a_village_added_after_ratings_were_checked_can_be_chosen_at_once(app, session):
    resident = Resident(app, "10.1.0.6")
    assert resident.rate(AK_BULUN, "LI-WATER", overall="3").status_code == 303
    assert api(app, "10.1.0.7").status_code == 201
    session.add(Village(code="41702205805099", name_ky="Жаңы айыл", name_ru="Новое село",
                        municipality_code=AK_BULUN))
    session.flush()
    assert resident.rate(AK_BULUN, "LI-WATER", overall="5", village="41702205805099").status_code == 303
    assert api(app, "10.1.0.8", village="41702205805099").status_code == 201
    assert count(Rating, Rating.village_code == "41702205805099") == 2


def test_a_criterion_added_after_ratings_were_checked_can_be_scored_at_once(app, session):
    assert api(app, "10.1.0.9").status_code == 201
    refused = api(app, "10.1.0.10", criteria={"CR-NEW": 4})
    assert refused.status_code == 400 and refused.get_json()["error"]["code"] == "unknown_criterion"
    session.add(Criterion(code="CR-NEW", name_ky="Жаңы", name_ru="Новый", question_ky="?", question_ru="?",
                          applies_to="both", position=99))
    session.flush()
    answer = api(app, "10.1.0.11", criteria={"CR-NEW": 4})
    assert answer.status_code == 201, answer.get_json()
    [rating] = ratings(Rating.id == answer.get_json()["id"])
    assert {c.criterion_code: c.score for c in rating.criteria} == {"CR-NEW": 4}

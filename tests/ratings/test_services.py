"""services.submit_rating: the one function behind the form and the API (rules in its docstring)."""
import datetime as dt

import pytest
from sqlalchemy import select

from feedback.catalog.models import Subject
from feedback.ratings.abuse import Signals
from feedback.ratings.models import CriterionScore, Rating
from feedback.ratings.services import COMMENT_MAX_LENGTH, RatingError, RatingInput, _score, current_period, submit_rating, validate
from feedback.scorecards.queries import subject_summary
from feedback.territory.models import Municipality
from tests.ratings.test_views import AK_BULUN, AK_BULUN_VILLAGE, KARAKOL, OTHER_VILLAGE, count, new_respondent


def signals_for(respondent, code=AK_BULUN, **extra) -> Signals:
    return Signals(municipality_code=code, respondent_id=respondent.id, address_hash=f"address-{respondent.id}", **extra)


def submit(session, respondent, period=None, signals=None, **fields):
    data = RatingInput(**{"municipality_code": AK_BULUN, "subject_code": "LI-WATER", "overall": 4, **fields})
    outcome = submit_rating(data, respondent, signals or signals_for(respondent, data.municipality_code), period)
    session.flush()
    return outcome


@pytest.fixture
def alice(session):
    return new_respondent(session, "alice")


@pytest.fixture
def bob(session):
    return new_respondent(session, "bob")


# --- scores ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("value, expected", [(1, 1), (5, 5), ("1", 1), ("5", 5), (" 4 ", 4), (3, 3)])
def test_valid_scores(value, expected):
    assert _score(value, "overall", allow_unknown=False) == expected


@pytest.mark.parametrize("value, code", [
    (None, "required"), ("", "required"), ("0", "required"),
    (0, "out_of_range"), (6, "out_of_range"), (-1, "out_of_range"), ("6", "out_of_range"),
    ("abc", "out_of_range"), (3.5, "out_of_range"), ("3.5", "out_of_range"), (4.0, "out_of_range"),
    (True, "out_of_range"), (False, "out_of_range"), ([4], "out_of_range"), ("4a", "out_of_range"),
    (float("inf"), "out_of_range"), (float("-inf"), "out_of_range"), (float("nan"), "out_of_range"),
])
def test_invalid_overall_scores(value, code):
    with pytest.raises(RatingError) as caught:
        _score(value, "overall", allow_unknown=False)
    assert (caught.value.code, caught.value.field, caught.value.status) == (code, "overall", 400)


@pytest.mark.parametrize("value", [None, "", "0", 0])
def test_criteria_allow_dont_know(value):
    assert _score(value, "criteria.CR-RESULT", allow_unknown=True) is None


@pytest.mark.parametrize("value", [7, -1, "x", 2.5])
def test_criteria_scores_out_of_range(value):
    with pytest.raises(RatingError) as caught:
        _score(value, "criteria.CR-RESULT", allow_unknown=True)
    assert caught.value.code == "out_of_range" and caught.value.field == "criteria.CR-RESULT"


# --- validation ------------------------------------------------------------------------------------

@pytest.mark.parametrize("fields, status, code, field", [
    ({"municipality_code": "99999999999999"}, 404, "unknown_municipality", "municipality"),
    ({"municipality_code": None}, 404, "unknown_municipality", "municipality"),
    ({"subject_code": "LI-NOSUCH"}, 404, "unknown_subject", "subject"),
    ({"subject_code": "DP-CIVREG"}, 422, "not_rated_by_citizens", "subject"),
    ({"municipality_code": KARAKOL, "subject_code": "LI-PASTURE"}, 422, "not_applicable", "subject"),
    ({"subject_code": "MS-BUILDPERMIT"}, 422, "not_applicable", "subject"),
    ({"overall": None}, 400, "required", "overall"),
    ({"criteria": {"CR-NOSUCH": 1}}, 400, "unknown_criterion", "criteria.CR-NOSUCH"),
    ({"criteria": {"CR-STAFF": 1}}, 400, "unknown_criterion", "criteria.CR-STAFF"),
    ({"criteria": {"CR-RESULT": 7}}, 400, "out_of_range", "criteria.CR-RESULT"),
    ({"criteria": ["CR-RESULT"]}, 400, "invalid", "criteria"),
    ({"comment": "ы" * (COMMENT_MAX_LENGTH + 1)}, 400, "too_long", "comment"),
    ({"comment": 42}, 400, "invalid", "comment"),
    ({"sex": "x"}, 400, "invalid_choice", "sex"),
    ({"age_band": "0_17"}, 400, "invalid_choice", "age_band"),
    ({"village_code": OTHER_VILLAGE}, 400, "unknown_village", "village"),
    ({"client_id": "1234567"}, 400, "invalid", "client_id"),
    ({"client_id": 123456789}, 400, "invalid", "client_id"),
])
def test_validation_errors(app, session, alice, fields, status, code, field):
    with pytest.raises(RatingError) as caught:
        submit(session, alice, **fields)
    assert (caught.value.status, caught.value.code, caught.value.field) == (status, code, field)
    with app.test_request_context("/", headers={"Accept-Language": "ru"}):
        assert str(caught.value.message)
    assert count() == 0


def test_a_retired_subject_cannot_be_rated(session, alice):
    session.get(Subject, "LI-WATER").retired = True
    session.flush()
    with pytest.raises(RatingError) as caught:
        submit(session, alice)
    assert caught.value.code == "unknown_subject"


def test_a_municipality_that_no_longer_exists_cannot_be_rated(session, alice):
    session.get(Municipality, AK_BULUN).valid_to = dt.date(2025, 1, 1)
    session.flush()
    with pytest.raises(RatingError) as caught:
        submit(session, alice)
    assert caught.value.code == "unknown_municipality"


def test_comment_is_trimmed_and_may_be_exactly_the_maximum(session, alice, bob):
    assert submit(session, alice, comment="  " + "ы" * COMMENT_MAX_LENGTH + "\n").rating.comment == "ы" * COMMENT_MAX_LENGTH
    blank = submit(session, bob, comment="   \n ").rating
    assert blank.comment is None and blank.comment_status is None and blank.comment_flags == ""


def test_validate_returns_the_cleaned_fields(session):
    municipality, subject, scores, extra = validate(RatingInput(
        AK_BULUN, "MS-FAMILY", "3", criteria={"CR-STAFF": "5", "CR-TIME": "0"}, comment=" ok ",
        sex="female", age_band="45_59", village_code=AK_BULUN_VILLAGE))
    assert (municipality.code, subject.code) == (AK_BULUN, "MS-FAMILY")
    assert scores == {"CR-STAFF": 5, "CR-TIME": None}
    assert extra == {"overall": 3, "comment": "ok", "sex": "female", "age_band": "45_59",
                     "village_code": AK_BULUN_VILLAGE}


# --- storing, replacing, idempotency ----------------------------------------------------------------

def test_submit_stores_a_rating_for_the_current_period(session, alice):
    outcome = submit(session, alice, criteria={"CR-RESULT": 2, "CR-INFO": None}, comment="Суу жок")
    assert (outcome.replaced, outcome.repeated) == (False, False)
    rating = outcome.rating
    assert rating.id is not None
    assert rating.period == current_period()
    assert (rating.status, rating.quarantine_rule, rating.source) == ("accepted", None, "web")
    assert rating.comment_status == "pending"
    assert rating.verified is False
    assert rating.address_hash == f"address-{alice.id}"
    assert [(c.criterion_code, c.score) for c in rating.criteria] == [("CR-INFO", None), ("CR-RESULT", 2)]


def test_current_period_is_the_year_in_bishkek():
    assert current_period() == dt.datetime.now(dt.timezone(dt.timedelta(hours=6))).year


def test_a_second_submission_replaces_the_first(session, alice):
    first = submit(session, alice, overall=5, criteria={"CR-RESULT": 5}, comment="Отлично", sex="male")
    second = submit(session, alice, overall=1, criteria={"CR-TIME": 1})
    assert second.replaced is True and second.repeated is False
    assert second.rating.id == first.rating.id
    session.expire_all()
    [rating] = session.scalars(select(Rating)).all()
    assert rating.overall == 1
    assert rating.replacements == 1
    assert rating.comment is None and rating.comment_status is None and rating.sex is None
    assert [(c.criterion_code, c.score) for c in rating.criteria] == [("CR-TIME", 1)]
    assert count(CriterionScore) == 1
    third = submit(session, alice, overall=3)
    assert third.replaced and third.rating.replacements == 2


def test_each_respondent_subject_municipality_and_period_is_its_own_rating(session, alice, bob):
    submit(session, alice)
    submit(session, bob)
    submit(session, alice, subject_code="LI-ROADS")
    submit(session, alice, municipality_code=KARAKOL)
    submit(session, alice, period=current_period() - 1)
    assert count() == 5


def test_the_same_client_id_twice_stores_once(session, alice):
    first = submit(session, alice, client_id="queue-0001", overall=4)
    again = submit(session, alice, client_id="queue-0001", overall=1)
    assert again.repeated is True and again.replaced is False
    assert again.rating.id == first.rating.id
    assert again.rating.overall == 4 and again.rating.replacements == 0
    assert count() == 1


def test_a_client_id_is_kept_when_the_rating_is_replaced_without_one(session, alice):
    submit(session, alice, client_id="queue-0002", overall=4)
    submit(session, alice, overall=2)
    again = submit(session, alice, client_id="queue-0002", overall=4)
    assert again.repeated is True
    assert again.rating.overall == 2


def test_a_resent_client_id_does_not_undo_a_later_rating(session, alice):
    """An offline queue resends A (its answer was lost) after the resident rated again online as B:
    the key A was already stored once, so the resend must change nothing."""
    submit(session, alice, client_id="queue-A-0001", overall=5, source="api")
    submit(session, alice, client_id="queue-B-0001", overall=1, source="api")
    resent = submit(session, alice, client_id="queue-A-0001", overall=5, source="api")
    assert resent.repeated is True
    session.expire_all()
    [rating] = session.scalars(select(Rating)).all()
    assert rating.overall == 1
    assert rating.replacements == 1


def test_a_verified_respondents_rating_is_marked_verified(session, alice):
    alice.phone_verified_at = dt.datetime.now(dt.UTC)
    assert submit(session, alice).rating.verified is True


def test_own_staff_rating_is_stored_quarantined_and_not_counted(session, alice, bob):
    staff = submit(session, alice, signals=signals_for(alice, staff_municipality_code=AK_BULUN)).rating
    assert (staff.status, staff.quarantine_rule) == ("quarantined", "own_staff")
    assert staff.counted is False
    resident = submit(session, bob).rating
    assert resident.status == "accepted" and resident.counted
    summary = subject_summary(AK_BULUN, "LI-WATER", current_period())
    assert (summary.n, summary.quarantined, summary.mean) == (1, 1, 4)
    # Staff of another municipality rate like any resident.
    other = new_respondent(session, "carol")
    assert submit(session, other, signals=signals_for(other, staff_municipality_code=KARAKOL)).rating.status == "accepted"


def test_a_replacement_is_judged_afresh(session, alice):
    quarantined = submit(session, alice, signals=signals_for(alice, fill_seconds=0.5)).rating
    assert quarantined.quarantine_rule == "too_fast"
    clean = submit(session, alice, signals=signals_for(alice, fill_seconds=30)).rating
    assert (clean.status, clean.quarantine_rule) == ("accepted", None)
    caught = submit(session, alice, signals=signals_for(alice, honeypot="http://spam.example")).rating
    assert (caught.status, caught.quarantine_rule) == ("quarantined", "honeypot")
    assert count() == 1

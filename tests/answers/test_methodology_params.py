"""The responsiveness constants belong to the methodology: version 2 carries them (validated), a
later version may change them, version 1 keeps what it published, and every computation — the
scorecard's track, ``?methodology=N``, comparisons and the comments' overdue rule — uses the
version it is asked for."""
import pytest

from feedback.answers import queries, scoring
from feedback.scorecards import methodology as mth
from feedback.scorecards import tracks
from feedback.territory.models import Municipality

from ..helpers import fresh_get, visible_text
from .conftest import AK_BULUN


@pytest.mark.parametrize(("override", "message"), [
    ({"answer_deadline_days": 0}, "responsiveness.answer_deadline_days must be a whole number from 1 to 365"),
    ({"answer_deadline_days": 7.5}, "responsiveness.answer_deadline_days must be a whole number"),
    ({"min_sample": True}, "responsiveness.min_sample must be a whole number from 1 to 1000"),
    ({"weights": {"judged_helpful": -0.1}}, "responsiveness.weights.judged_helpful must be a number from 0 to 1"),
    ({"weights": {"kindness": 0.2}}, "unknown parameter: responsiveness.weights.kindness"),
    ({"weights": {"answered_on_time": 0}}, "responsiveness.weights.answered_on_time must be above 0"),
    ({"deadline": 10}, "unknown parameter: responsiveness.deadline"),
    ("fourteen", "responsiveness must be an object"),
])
def test_version_2_validates_the_constants_with_clear_errors(override, message):
    with pytest.raises(mth.MethodologyError, match=message.replace(".", r"\.")):
        mth.validate({"method": 2, "responsiveness": override})


def test_version_2_carries_the_constants_and_a_part_overrides_them():
    assert mth.validate({"method": 2})["responsiveness"] == scoring.RESPONSIVENESS
    values = mth.validate({"method": 2, "responsiveness": {"answer_deadline_days": 7, "weights": {"promises_kept": 0}}})
    assert values["responsiveness"] == {"answer_deadline_days": 7, "min_sample": 5,
                                        "weights": {"answered_on_time": 0.5, "promises_kept": 0,
                                                    "judged_helpful": 0.25}}
    assert queries.constants(values)["answer_deadline_days"] == 7


def test_version_1_is_as_published():
    """Version 1 has no such parameter (it cannot be changed) and its constants are the ones it was
    published with: 14 days, 5 comments, weights 0.5 / 0.25 / 0.25."""
    with pytest.raises(mth.MethodologyError, match="unknown parameter: responsiveness"):
        mth.validate({"responsiveness": {"answer_deadline_days": 7}})
    v1 = mth.get(1).values
    assert "responsiveness" not in v1
    assert queries.constants(v1) == {"answer_deadline_days": 14, "min_sample": 5,
                                     "weights": {"answered_on_time": 0.5, "promises_kept": 0.25,
                                                 "judged_helpful": 0.25}}


def test_publishing_a_version_with_bad_constants_is_refused(session):
    with pytest.raises(mth.MethodologyError, match="answer_deadline_days"):
        mth.publish({"responsiveness": {"answer_deadline_days": -3}})


@pytest.fixture
def short_deadline(session):
    """Version 3: answers due within 3 days, an index from 2 comments."""
    mth.publish(None)
    return mth.publish({"responsiveness": {"answer_deadline_days": 3, "min_sample": 2}}, notes="Faster answers")


def test_the_track_and_the_comparisons_use_the_version_asked_for(session, make_comment, short_deadline):
    """Two comments published 5 days ago: overdue under version 3 (3 days), not yet due under
    version 2 or 1 (14 days)."""
    comments = [make_comment("Жол бузулган", days_ago=5), make_comment("Жарык жок", days_ago=5)]
    period = comments[0].period
    municipality = session.get(Municipality, AK_BULUN)
    v1, v2, v3 = mth.get(1), mth.get(2), short_deadline
    assert v3.values["responsiveness"]["answer_deadline_days"] == 3
    faster = queries.responsiveness_track(municipality, period, v3)
    assert faster["index"] == 0 and faster["n"] == 2 and faster["overdue_comments"] == 2
    assert faster["answer_deadline_days"] == 3 and faster["min_sample"] == 2
    for params in (v1, v2):
        track = queries.responsiveness_track(municipality, period, params)
        assert track["index"] is None and track["n"] == 0 and track["overdue_comments"] == 0
    # The card's track and the comparisons' period indices follow the version given.
    assert tracks.compute("responsiveness", municipality, period, v3).index == 0
    assert tracks.compute("responsiveness", municipality, period, v2).index is None
    assert tracks.period_indices(period, v3)["responsiveness"] == {AK_BULUN: 0.0}
    assert AK_BULUN not in tracks.period_indices(period, v2)["responsiveness"]
    # The comments' overdue rule reads the same constant (the newest version by default: 3).
    statuses = queries.comment_statuses([c.id for c in comments])
    assert {s.state for s in statuses.values()} == {"overdue"}
    statuses = queries.comment_statuses([c.id for c in comments], v2.values)
    assert {s.state for s in statuses.values()} == {"awaiting"}
    assert queries.overdue_comments(AK_BULUN) == 2
    assert queries.overdue_comments(AK_BULUN, v2.values) == 0


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_the_scorecard_page_follows_methodology_n(app, client, session, make_comment, short_deadline, lang):
    make_comment("Жол бузулган", days_ago=5)
    make_comment("Жарык жок", days_ago=5)
    overdue = {"ky": "Жооп жок: мөөнөтү", "ru": "Нет ответа: просрочено"}[lang]
    newest = visible_text(fresh_get(app, client, f"/{lang}/m/{AK_BULUN}/").get_data(as_text=True))
    assert newest.count(overdue) == 2
    older = visible_text(fresh_get(app, client, f"/{lang}/m/{AK_BULUN}/?methodology=2").get_data(as_text=True))
    assert overdue not in older
    assert older.count({"ky": "Жооп күтүлүүдө", "ru": "Ожидает ответа"}[lang]) == 2


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_the_methodology_page_states_the_constants_of_its_version(app, client, session, short_deadline, lang):
    page = visible_text(fresh_get(app, client, f"/{lang}/methodology?version=3").get_data(as_text=True))
    days = {"ky": "жарыяланганына 3 күн толгон", "ru": "опубликованы не менее 3 дней назад"}[lang]
    minimum = {"ky": "пикирлердин эң аз саны: 2", "ru": "меньше 2, индекс не публикуется"}[lang]
    assert days in page and minimum in page
    page = visible_text(fresh_get(app, client, f"/{lang}/methodology?version=1").get_data(as_text=True))
    assert {"ky": "жарыяланганына 14 күн толгон", "ru": "опубликованы не менее 14 дней назад"}[lang] in page

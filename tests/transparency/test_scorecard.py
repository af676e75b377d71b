"""The track on the scorecard: in the JSON (index, items, evidence, replies), in the composite
under the methodology's weight, in /api/v1/compare, and on the page and the print view."""
import datetime as dt

import pytest

from feedback.territory.models import Municipality
from feedback.transparency import services
from feedback.transparency.services import AnswersInput, ReviewInput

from .conftest import M_X, YEAR, all_answers


@pytest.fixture
def final(session, people):
    a = services.open_draft(people["monitor"], session.get(Municipality, M_X), YEAR)
    services.save_answers(people["monitor"], a, AnswersInput(all_answers(session, **{"BT-2-01": "no"})))
    services.add_evidence(people["monitor"], a, "BT-2-02", url="https://budget.okmot.kg/x")
    services.submit(people["monitor"], a)
    services.reply(people["staff"], a, "BT-2-01", "Сайт жаңыланууда")
    services.review(people["reviewer"], a, ReviewInput(all_answers(session, "agree")))
    a.reply_due = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    services.finalise(people["monitor"], a)
    session.flush()
    return a


def test_scorecard_json_and_composite(client, final):
    card = client.get(f"/api/v1/municipalities/{M_X}/scorecard?period={YEAR}").get_json()
    bt = card["budget_transparency"]
    # area 2 (20 20 15 15 15 15) with BT-2-01 (20) no → 80; areas 1 and 3 → 100; index 93.3
    assert bt["index"] == 93.3 and [a["score"] for a in bt["areas"]] == [100.0, 80.0, 100.0]
    item = next(i for i in bt["items"] if i["code"] == "BT-2-01")
    assert item["answer"] == "no" and item["replies"][0]["body"] == "Сайт жаңыланууда"
    assert next(i for i in bt["items"] if i["code"] == "BT-2-02")["evidence"][0]["url"] == "https://budget.okmot.kg/x"
    components = {c["track"]: c for c in card["composite"]["components"]}
    assert components["budget_transparency"]["index"] == 93.3
    assert "budget_transparency" not in card["composite"]["missing"]
    rows = client.get(f"/api/v1/compare?level=region&period={YEAR}").get_json()["items"]
    region = next(r for r in rows if r["code"] == "41702000000000")
    assert region["budget_transparency_index"] == 93.3 and region["budget_transparency_assessed"] == 1


@pytest.mark.parametrize(("lang", "words"), [("ky", "Сайт жаңыланууда"), ("ru", "Сайт жаңыланууда")])
def test_page_and_print_view_show_the_track(app, final, lang, words):
    from tests.helpers import fresh_get, visible_text

    client = app.test_client()
    for path in (f"/{lang}/m/{M_X}/?period={YEAR}", f"/{lang}/m/{M_X}/print?period={YEAR}"):
        text = visible_text(fresh_get(app, client, path).get_data(as_text=True))
        assert "93,3" in text and words in text


def test_the_track_is_full_precision_and_rounded_once_where_published(app, client, final):
    """The track gives 280/3 (not 93.3); the scorecard publishes 93.3; the comparison's value is the
    same full-precision number, so both agree within the rounding of one value."""
    from feedback.compare.queries import municipality_values
    from feedback.scorecards import methodology as mth
    from feedback.scorecards import tracks

    full = 280 / 3  # areas 100, 80, 100
    params = mth.get()
    result = tracks.compute("budget_transparency", final_municipality(), YEAR, params)
    assert result.index == pytest.approx(full, abs=1e-9)
    assert [a["score"] for a in result.details["areas"]] == [100.0, 80.0, 100.0]  # details: as published
    card = client.get(f"/api/v1/municipalities/{M_X}/scorecard?period={YEAR}").get_json()
    assert card["budget_transparency"]["index"] == mth.rounded(full, 1) == 93.3
    with app.test_request_context():
        compared = municipality_values(YEAR, "budget_transparency", params)[M_X].index
        composite = municipality_values(YEAR, "composite", params).get(M_X)
    assert compared == pytest.approx(full, abs=1e-9)
    assert abs(card["budget_transparency"]["index"] - compared) <= 0.05
    if composite is not None:  # the composite from the same full value on the card and in comparisons
        assert abs(card["composite"]["index"] - composite.index) <= 0.05
    region = next(r for r in client.get(f"/api/v1/compare?level=region&period={YEAR}").get_json()["items"]
                  if r["code"] == "41702000000000")
    assert region["budget_transparency_index"] == card["budget_transparency"]["index"]


def final_municipality():
    from feedback.db import db

    return db.session.get(Municipality, M_X)

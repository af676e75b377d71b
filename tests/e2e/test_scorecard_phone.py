"""Ten scorecards on a phone, in both languages, at 320 and 360 px: never wider than the screen
(document.documentElement.scrollWidth equals the viewport), under 60 KB, and the parts the issue asks
for (made-of headline, position with the rank interval and funnel as SVG, collapsible sections,
"not enough ratings" as a list). Ratings go through the real submission service."""
import random

import pytest

from .conftest import screenshot
from .data_fixtures import live_db  # noqa: F401 (a fixture)

WIDTHS = (320, 360)


def _seed() -> list[str]:
    from sqlalchemy import func, select

    from feedback.accounts.models import User
    from feedback.catalog.models import Period
    from feedback.db import db
    from feedback.evaluation.models import IndicatorScore, StateEvaluation
    from feedback.ratings.abuse import Signals
    from feedback.ratings.models import Respondent
    from feedback.ratings.services import RatingInput, current_period, submit_rating
    from feedback.territory.models import Municipality

    # The ten aiyl aimaks with the longest Russian names: the hardest to fit on a narrow screen.
    codes = list(db.session.scalars(select(Municipality.code).where(
        Municipality.kind == "aiyl_aimak", Municipality.valid_to.is_(None))
        .order_by(func.length(Municipality.name_ru).desc(), Municipality.code).limit(10)))
    rng = random.Random(320)
    if db.session.get(Period, current_period()) is None:
        db.session.add(Period(year=current_period(), status="open"))
    evaluator = User(email="phone-e2e-evaluator@example.kg", role="state_evaluator", agency_code="MOD", password_hash="-")
    db.session.add(evaluator)
    db.session.flush()
    for u, code in enumerate(codes):
        for k in range(14):
            who = Respondent(token=f"phone-e2e-{code}-{k}")
            db.session.add(who)
            db.session.flush()
            for subject, count in (("LI-WATER", 14), ("MS-INFO", 11), ("LI-ROADS", 4)):
                if k < count:
                    submit_rating(RatingInput(code, subject, rng.choice((2, 3, 4, 4, 5)) if u % 2 else rng.choice((1, 2, 3, 4)),
                                              criteria={"CR-RESULT": rng.randint(1, 5), "CR-TIME": rng.choice((None, 2, 4))},
                                              sex=rng.choice(("female", "male", None)),
                                              age_band=rng.choice(("18_29", "30_44", "60_plus", None))),
                                  who, Signals(municipality_code=code, respondent_id=who.id, address_hash=""),
                                  period=current_period())
        evaluation = StateEvaluation(municipality_code=code, subject_code="DP-MILITARY", period=current_period(),
                                     agency_code="MOD", evaluator_id=evaluator.id, status="final")
        evaluation.scores = [IndicatorScore(indicator_code="SI-EXECUTION", score=4),
                             IndicatorScore(indicator_code="SI-FUNDING", answer="no")]
        db.session.add(evaluation)
    db.session.flush()
    return codes


@pytest.fixture(scope="module")
def ten(live_db):  # noqa: F811
    return live_db(_seed)


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_ten_scorecards_fit_a_phone(ten, live_server, phone, lang):
    shots = 0
    for code in ten:
        for width in WIDTHS:
            phone.set_viewport_size({"width": width, "height": 740})
            response = phone.goto(f"{live_server}/{lang}/m/{code}/")
            assert response.status == 200
            assert len(response.body()) < 60_000, f"{code} {lang}: {len(response.body())} bytes"
            scroll = phone.evaluate("document.documentElement.scrollWidth")
            assert scroll == width, f"{lang}/m/{code}/ is {scroll}px wide at {width}px"
            assert phone.locator("details.sc-details").count() >= 2
            assert phone.locator("ul.not-enough li").count() == 1  # the roads: 4 ratings
            assert phone.locator("svg.ranks").count() == 2 and phone.locator("svg.funnel").count() == 1
            if shots < 2 and width == 320:
                phone.locator("details.sc-details").first.evaluate("d => d.open = true")
                screenshot(phone, f"scorecard-phone-{lang}-{width}-{code}")
                for part in ("headline", "position"):  # readable close-ups of the two key parts
                    phone.locator(f".scorecard .{part}").first.screenshot(
                        path=str(screenshot.__globals__["SCREENSHOTS"] / f"scorecard-phone-{lang}-{width}-{code}-{part}.png"))
                shots += 1


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_one_channel_scorecard_fits_a_phone_and_switches_without_javascript(ten, live_server, phone_nojs, lang):
    """The channel switch (?channel=) at 320 and 360 px with JavaScript off: the form's select and
    the channel table's links never widen the page."""
    page = phone_nojs
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 740})
        page.goto(f"{live_server}/{lang}/m/{ten[0]}/")
        page.select_option("#sc-channel", "offline_web")  # the longest channel name
        page.locator("form.sc-filter button[type=submit]").click()
        page.wait_for_load_state()
        assert "channel=offline_web" in page.url
        assert page.locator("#sc-channel-note").count() == 1
        assert page.evaluate("document.documentElement.scrollWidth") == width
        page.goto(f"{live_server}/{lang}/m/{ten[0]}/?channel=web")
        assert page.locator("#sc-channel-note").count() == 1
        assert page.evaluate("document.documentElement.scrollWidth") == width, f"{lang} {width}"
        if width == 360:
            screenshot(page, f"scorecard-phone-channel-{lang}-{width}")

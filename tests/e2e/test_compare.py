"""The comparison, map and unfunded-mandates pages and their table alternatives, in Kyrgyz and
Russian, on a 360 px phone without JavaScript and on a 1280 px desktop; page weights recorded.

Data: ratings and final state evaluations in 2013 (a year no other journey uses), written straight
into the live server's database and announced to the aggregates as submissions are."""
import gzip

import pytest

from .conftest import screenshot
from .data_fixtures import live_db  # noqa: F401 (a fixture)
from .test_find_municipality import assert_no_horizontal_scroll

YEAR = 2013
RATED = {"41702205805000": [2, 3, 3, 4, 2, 3, 3, 2, 4, 3, 3, 2],  # Ak-Bulun
         "41702410000010": [4, 5, 4, 4, 3, 5, 4, 4, 5, 4, 4, 3],  # Karakol
         "41703204804000": [3, 3, 4, 3, 2, 4, 3, 3, 3, 4, 2, 3]}  # Ak-Korgon (Jalal-Abad)
PAGES = {"compare": "/{lang}/compare?period=2013", "districts": "/{lang}/compare?period=2013&within=41702000000000",
         "map": "/{lang}/map?period=2013", "map-districts": "/{lang}/map?period=2013&level=district",
         "unfunded": "/{lang}/unfunded?period=2013&power=DP-MILITARY",
         "urban": "/{lang}/compare/urban-rural?period=2013"}
HEADINGS = {"ky": {"compare": "Салыштыруу", "map": "Карта", "unfunded": "Каржыланбаган милдеттер",
                   "urban": "Шаар жана айыл"},
            "ru": {"compare": "Сравнение", "map": "Карта", "unfunded": "Нефинансируемые полномочия",
                   "urban": "Город и село"}}
BUDGET = 300 * 1024


def _seed():
    import datetime as dt

    from feedback.accounts.models import User
    from feedback.catalog.models import Period
    from feedback.db import db
    from feedback.evaluation.models import IndicatorScore, StateEvaluation
    from feedback.ratings.models import Rating, Respondent
    from feedback.ratings.signals import changed

    stamp = dt.datetime.now(dt.UTC).timestamp()
    db.session.add(Period(year=YEAR, status="closed"))
    for code, scores in RATED.items():
        for i, score in enumerate(scores):
            who = Respondent(token=f"e2e-compare-{code}-{i}-{stamp}")
            db.session.add(who)
            db.session.flush()
            rating = Rating(respondent_id=who.id, municipality_code=code, subject_code="LI-WATER", period=YEAR,
                            overall=score, status="accepted")
            db.session.add(rating)
            db.session.flush()
            changed(None, rating)
    evaluator = User(email=f"e2e-compare-{stamp}@example.kg", role="state_evaluator", password_hash="!", agency_code="MOD")
    db.session.add(evaluator)
    db.session.flush()
    for code, (execution, funding) in zip(RATED, ((3, "no"), (5, "yes"), (2, "no")), strict=True):
        e = StateEvaluation(municipality_code=code, subject_code="DP-MILITARY", period=YEAR, agency_code="MOD",
                            evaluator_id=evaluator.id, status="final")
        e.scores = [IndicatorScore(indicator_code="SI-EXECUTION", score=execution),
                    IndicatorScore(indicator_code="SI-FUNDING", answer=funding),
                    IndicatorScore(indicator_code="SI-METHOD", answer="partial")]
        db.session.add(e)


@pytest.fixture(scope="module")
def seeded(live_db):  # noqa: F811
    live_db(_seed)
    return True


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_comparison_map_and_unfunded_pages(seeded, live_server, phone_nojs, desktop, lang, record_property):
    weights = []
    for name, path in PAGES.items():
        url = live_server + path.format(lang=lang)
        for device, page in (("phone", phone_nojs), ("desktop", desktop)):
            responses = []

            def record(response, responses=responses):
                responses.append(response)

            page.on("response", record)
            page.goto(url, wait_until="networkidle")
            page.remove_listener("response", record)
            heading = HEADINGS[lang][name.split("-")[0] if name != "districts" else "compare"]
            assert heading in page.inner_text("main"), (name, device)
            assert page.locator("table.cmp").count() >= 1  # the table alternative is always there
            if device == "phone":
                assert_no_horizontal_scroll(page)
                total = sum(len(gzip.compress(r.body(), 6)) for r in responses if r.status == 200)
                weights.append(f"{name} {lang}: {total} B gzip")
                assert total < BUDGET, (name, total)
            screenshot(page, f"compare-{name}-{lang}-{device}")
    record_property(f"weights_{lang}", "; ".join(weights))
    print("\n" + "\n".join(weights))


def test_map_areas_link_to_their_drill_down(seeded, live_server, desktop):
    desktop.goto(f"{live_server}/ru/map?period={YEAR}")
    areas = desktop.locator("svg.cmp-svg a")
    assert areas.count() == 9
    issyk_kul = desktop.locator('svg.cmp-svg a[href*="within=41702000000000"]')
    assert "Иссык-Кульская" in issyk_kul.locator("title").text_content()
    hatched = desktop.locator("svg.cmp-svg path.cmp-hatched")
    assert hatched.count() == 7  # only Issyk-Kul and Jalal-Abad have published ratings in 2013
    assert desktop.locator('svg.cmp-svg path[fill="url(#hatch)"]').count() == 7
    issyk_kul.click()
    assert "level=district" in desktop.url and "within=41702000000000" in desktop.url
    assert "Ак-Суйский район" in desktop.inner_text("main")
    # the strict CSP: no inline style anywhere on the page
    assert desktop.locator("[style]").count() == 0 and desktop.locator("style").count() == 0

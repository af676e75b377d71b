"""The scorecard of Karakol city in Kyrgyz and Russian, on a 360 px phone and a 1280 px desktop,
after 18 ratings sent through the public API, each from a fresh browser context (a new respondent
cookie, as 18 different residents, each at an address of their own, as the proxy reports it)."""
import random

import pytest

from .conftest import screenshot
from .test_find_municipality import assert_no_horizontal_scroll

KARAKOL = "41702410000010"
HEADINGS = {"ky": ("2026", "Тургундардын баасы", "Ишеним аралыгы"), "ru": ("2026", "Оценка жителей", "Доверительный интервал")}


@pytest.fixture(scope="module")
def rated(browser, live_server):
    rng = random.Random(5)
    for i in range(18):
        subject, overall = ("LI-WATER", rng.choice((2, 3, 3, 4, 4, 5))) if i < 12 else ("LI-ROADS", rng.choice((1, 2, 3)))
        context = browser.new_context()
        try:
            response = context.request.post(f"{live_server}/api/v1/ratings", headers={"Origin": live_server, "X-Forwarded-For": f"10.20.0.{i + 1}"}, data={
                "municipality": KARAKOL, "subject": subject, "overall": overall,
                "criteria": {"CR-RESULT": max(1, overall - 1), "CR-TIME": rng.choice((None, 2, 3)), "CR-INFO": 2}})
            assert response.status == 201, response.text()
            assert response.json()["status"] == "accepted"
        finally:
            context.close()
    return True


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_scorecard_screenshots(rated, live_server, phone, desktop, lang):
    from feedback.ratings.services import current_period

    heading, track, interval = HEADINGS[lang]
    for name, page in (("phone", phone), ("desktop", desktop)):
        page.goto(f"{live_server}/{lang}/m/{KARAKOL}/")
        text = page.inner_text("main")
        assert str(current_period()) in text and track in text and interval in text
        gauge = page.locator("svg.gauge")
        assert gauge.get_attribute("role") == "img" and gauge.get_attribute("aria-label")
        if name == "phone":
            assert_no_horizontal_scroll(page)
        screenshot(page, f"scorecard-{lang}-{name}")
    desktop.goto(f"{live_server}/{lang}/m/{KARAKOL}/print")
    desktop.emulate_media(media="print")
    screenshot(desktop, f"scorecard-{lang}-print")
    desktop.emulate_media(media="screen")

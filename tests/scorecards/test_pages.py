"""The scorecard page, its print view and the methodology page render in Kyrgyz and Russian with no
English, with charts as inline SVG that carry text alternatives."""
import re

import pytest
from sqlalchemy import select

from feedback.db import db
from feedback.ratings.models import Rating
from tests.helpers import fresh_get, labelled_attributes, visible_text
from tests.scorecards.helpers import AK_BULUN
from tests.scorecards.test_scorecard_json import YEAR, known  # noqa: F401 - a fixture
from tests.test_i18n_pages import ENGLISH

MORE_ENGLISH = ("Scorecard", "interval", "Tier", "ratings", "rating", "quarantined", "Composite", "Residents",
                "Methodology", "Print", "Chart", "Show", "verified", "not enough", "average", "score", "Version")
ENGLISH_RE = re.compile(r"\b(" + "|".join(re.escape(w) for w in ENGLISH + MORE_ENGLISH) + r")\b", re.IGNORECASE)
PAGES = (f"/{{lang}}/m/{AK_BULUN}/?period={YEAR}", f"/{{lang}}/m/{AK_BULUN}/?period={YEAR}&verified=1",
         f"/{{lang}}/m/{AK_BULUN}/print?period={YEAR}", "/{lang}/methodology", f"/{{lang}}/m/{AK_BULUN}/")


@pytest.fixture
def with_comment(known):  # noqa: F811
    rating = db.session.scalars(select(Rating).where(Rating.municipality_code == AK_BULUN, Rating.period == YEAR,
                                                     Rating.status == "accepted")).first()
    rating.comment, rating.comment_status = "Суу жайында жок.", "approved"
    db.session.flush()


@pytest.mark.parametrize("lang", ["ky", "ru"])
@pytest.mark.parametrize("url", PAGES)
def test_no_english(app, client, with_comment, lang, url):
    response = fresh_get(app, client, url.format(lang=lang))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    # The JSON link and the ?methodology=N example are code, not prose.
    text = visible_text(html).replace("JSON", "").replace("?methodology=N", "")
    found = sorted({m.group(0) for m in ENGLISH_RE.finditer(text)})
    assert found == [], f"English on {url.format(lang=lang)}: {found}\n{text}"
    spoken = " | ".join(labelled_attributes(html))
    assert not ENGLISH_RE.search(spoken), spoken
    if lang == "ky":
        assert re.search(r"[ңөүҢӨҮ]", text)


def test_the_scorecard_shows_what_the_issue_asks_for(app, client, with_comment):
    html = fresh_get(app, client, f"/ru/m/{AK_BULUN}/?period={YEAR}").get_data(as_text=True)
    text = visible_text(html)
    assert "Оценочная карта за 2019 год" in text
    assert "Доверительный интервал" in text and "среднего по схожим органам МСУ" in text
    assert "Составлен из всех 17 принятых оценок по 2 услугам и вопросам" in text
    assert re.search(r"Место \d+–\d+ из \d+ в своей области", text)
    assert "2 оценки на карантине" in text
    assert "Недостаточно оценок" in text  # the subject below the minimum sample
    assert "сильнее всего снижает оценку" not in text or "Критерий" in text
    assert "Воинский учёт" in text and "Часть государства" in text
    assert "Суу жайында жок." in text
    assert "Версия методологии: 2." in text
    assert re.search(r'<svg class="gauge"[^>]*role="img"[^>]*aria-label="Индекс', html)
    assert re.search(r'<svg class="trend"[^>]*role="img"', html)
    assert "Оценить услуги и местные вопросы" in text  # the rate button stays
    assert f"/ru/m/{AK_BULUN}/poster" in html or "poster" in html


def test_period_selector_and_unknown_methodology(app, client, known):  # noqa: F811
    html = fresh_get(app, client, f"/ky/m/{AK_BULUN}/?period={YEAR}").get_data(as_text=True)
    assert f'<option value="{YEAR}" selected>' in html and f'<option value="{YEAR - 1}"' in html
    assert fresh_get(app, client, f"/ky/m/{AK_BULUN}/?methodology=99").status_code == 404
    assert fresh_get(app, client, f"/ky/m/{AK_BULUN}/?period=garbage").status_code == 200


def test_methodology_versions(app, client):
    from feedback.scorecards import methodology

    methodology.publish({"min_sample": 20}, notes="Stricter minimum")
    assert methodology.latest_version() == 3
    body = client.get(f"/api/v1/municipalities/{AK_BULUN}/scorecard?methodology=1").get_json()
    assert body["methodology_version"] == 1 and body["min_sample"] == 10
    body = client.get(f"/api/v1/municipalities/{AK_BULUN}/scorecard?methodology=2").get_json()
    assert body["methodology_version"] == 2 and body["min_sample"] == 10
    body = client.get(f"/api/v1/municipalities/{AK_BULUN}/scorecard").get_json()
    assert body["methodology_version"] == 3 and body["min_sample"] == 20
    assert client.get(f"/api/v1/municipalities/{AK_BULUN}/scorecard?methodology=7").status_code == 404
    with pytest.raises(methodology.MethodologyError):
        methodology.publish({"composite_weights": {"citizen": -1}})
    text = visible_text(fresh_get(app, client, "/ru/methodology?version=3").get_data(as_text=True))
    assert "версия 3" in text and "Stricter minimum" in text


def test_api_contract_keys(app, client, known):  # noqa: F811
    body = client.get(f"/api/v1/municipalities/{AK_BULUN}/scorecard?period={YEAR}").get_json()
    assert {"municipality", "period", "methodology_version", "citizen", "state", "budget_transparency",
            "responsiveness", "composite"} <= set(body)
    assert {"n", "index", "interval", "subjects"} <= set(body["citizen"])
    for track in ("citizen", "state", "budget_transparency", "responsiveness", "composite"):
        assert "index" in body[track] and "reason" in body[track]
        assert (body[track]["index"] is None) == (body[track]["reason"] is not None)
    for subject in body["citizen"]["subjects"]:
        assert {"code", "n", "mean", "index", "published"} <= set(subject)
    doc = client.get("/api/v1/openapi.json").get_json()
    assert "/municipalities/{code}/scorecard" in doc["paths"] and "/compare" in doc["paths"]
    assert set(doc["components"]["schemas"]["Scorecard"]["required"]) <= set(body)
    assert client.get("/api/v1/municipalities/41799999999999/scorecard").status_code == 404
    assert client.get("/api/v1/compare?level=village").status_code == 400
    assert client.get("/api/v1/compare?period=abc").status_code == 400


def test_a_subjects_bar_is_one_line_of_paths(app, client, with_comment):
    """A card at national scale shows up to 75 bars (every subject qualifies): each is three paths on
    one line, about 250 bytes, not rects and lines over four lines (430: docs/performance.md, session
    26). The bar still shows the scale, the index and the interval, and stays decorative."""
    html = fresh_get(app, client, f"/ky/m/{AK_BULUN}/?period={YEAR}").get_data(as_text=True)
    bars = re.findall(r'<svg class="bar[\s\S]*?</svg>', html)
    assert bars
    whole = [bar for bar in bars if 'class="whisker"' in bar]
    assert whole and all('aria-hidden="true"' in bar and "\n" not in bar and len(bar) < 300 for bar in bars)
    assert all(re.search(r'class="scale" d="M0 3h100v6H0z".*class="value" d="M0 3h[\d.]+v6H0z"', bar) for bar in whole)

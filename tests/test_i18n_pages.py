"""No English on Kyrgyz and Russian pages: every string a visitor reads comes from the catalogs.

Needs compiled catalogs (`pybabel compile -d translations`, or `make` / `flask i18n compile`).
"""
import re

import pytest

from tests.helpers import fresh_get, labelled_attributes, visible_text

AK_BULUN = "41702205805000"

PAGES = {
    "home": ("/{lang}/", 200),
    "search with results": ("/{lang}/search?q=%D0%90%D0%BA-%D0%91%D1%83%D0%BB%D1%83%D0%BD", 200),  # Ак-Булун
    "search through a village": ("/{lang}/search?q=%D0%A2%D1%8E%D1%80%D0%B3%D0%B5%D0%BD", 200),  # Тюрген
    "search without results": ("/{lang}/search?q=%D0%96%D0%BE%D0%BA%D0%B6%D0%BE%D0%BA", 200),  # Жокжок
    "search without a query": ("/{lang}/search", 200),
    "region": ("/{lang}/r/41702000000000/", 200),
    "republican city": ("/{lang}/r/41711000000000/", 200),
    "district": ("/{lang}/d/41702205000000/", 200),
    "municipality": (f"/{{lang}}/m/{AK_BULUN}/", 200),
    "city": ("/{lang}/m/41702410000010/", 200),
    "404": ("/{lang}/m/41799999999999/", 404),
    "404 of an unknown path": ("/{lang}/no/such/page", 404),
}

# English UI strings of the templates; none may reach a ky or ru page. Matched as whole words,
# ignoring case.
ENGLISH = (
    "Search", "Home", "village", "villages", "Skip to content", "Kind", "District", "Region",
    "Find your village", "Choose your region", "Rate the services", "local government",
    "local governments", "result", "results", "Nothing found", "Check the spelling", "aiyl aimak",
    "city", "Population", "SOATE code", "Districts and cities", "Territorial registry",
    "Go to the home page", "This page does not exist", "Error", "the", "your", "and", "of", "for",
    "Breadcrumbs", "Language", "For example", "derived", "ceased", "successor", "Local Voice",
)
ENGLISH_RE = re.compile(r"\b(" + "|".join(re.escape(w) for w in ENGLISH) + r")\b", re.IGNORECASE)


@pytest.mark.parametrize("lang", ["ky", "ru"])
@pytest.mark.parametrize("name", list(PAGES))
def test_no_english_on_the_page(app, client, lang, name):
    url, status = PAGES[name]
    response = fresh_get(app, client, url.format(lang=lang))
    assert response.status_code == status
    html = response.get_data(as_text=True)
    text = visible_text(html)
    assert text
    found = sorted({m.group(0) for m in ENGLISH_RE.finditer(text)})
    assert found == [], f"English on {url.format(lang=lang)}: {found}\n{text}"
    spoken = " | ".join(labelled_attributes(html))
    found = sorted({m.group(0) for m in ENGLISH_RE.finditer(spoken)})
    assert found == [], f"English in attributes on {url.format(lang=lang)}: {found}\n{spoken}"


@pytest.mark.parametrize("name", list(PAGES))
def test_pages_differ_between_languages(app, client, name):
    """The interface text itself changes with the language, not only the place names."""
    url, _ = PAGES[name]
    ky = visible_text(fresh_get(app, client, url.format(lang="ky")).get_data(as_text=True))
    ru = visible_text(fresh_get(app, client, url.format(lang="ru")).get_data(as_text=True))
    assert ky != ru
    # the skip link, the first text of every page, is translated differently
    assert ky.split(" ")[0:3] != ru.split(" ")[0:3]


def test_kyrgyz_pages_use_kyrgyz_letters(app, client):
    text = visible_text(fresh_get(app, client, "/ky/").get_data(as_text=True))
    assert re.search(r"[ңөүҢӨҮ]", text)


def _with_villages(session, n: int) -> str:
    from sqlalchemy import func, select

    from feedback.territory.models import Village

    return session.scalars(
        select(Village.municipality_code).group_by(Village.municipality_code)
        .having(func.count() == n).order_by(Village.municipality_code)
    ).first()


@pytest.mark.parametrize("n, ru, ky", [
    (1, "1 село", "1 айыл"),
    (4, "4 села", "4 айыл"),
    (5, "5 сёл", "5 айыл"),
])
def test_plural_forms(app, client, session, n, ru, ky):
    """Russian has three plural forms (1 село, 4 села, 5 сёл), Kyrgyz one."""
    code = _with_villages(session, n)
    assert code, f"no municipality with {n} villages"
    ru_text = visible_text(fresh_get(app, client, f"/ru/m/{code}/").get_data(as_text=True))
    ky_text = visible_text(fresh_get(app, client, f"/ky/m/{code}/").get_data(as_text=True))
    assert ru in ru_text
    assert ky in ky_text

"""Public pages: the language redirect, home, browse region → district → municipality, errors,
health, headers (PRODUCT.md, "Public URLs")."""
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from feedback.db import db
from feedback.territory.models import Municipality, Region
from tests.helpers import fresh_get, links, visible_text

AK_BULUN = "41702205805000"
AK_SUU = "41702205000000"
ISSYK_KUL = "41702000000000"
BISHKEK = "41711000000000"
KARAKOL = "41702410000010"


def html_lang(html: str) -> str:
    match = re.search(r'<html[^>]*\blang="([^"]+)"', html)
    assert match, "no <html lang>"
    return match.group(1)


def page(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    assert response.mimetype == "text/html"
    return response.get_data(as_text=True)


def switch_link(html: str, lang: str) -> str:
    hrefs = [attrs["href"] for attrs, _ in links(html) if attrs.get("hreflang") == lang]
    assert len(hrefs) == 1, hrefs
    return hrefs[0]


# --- the language redirect -----------------------------------------------------------------------

@pytest.mark.parametrize("headers, target", [
    ({}, "/ky/"),
    ({"Accept-Language": "ru"}, "/ru/"),
    ({"Accept-Language": "ru-RU,ru;q=0.9,en;q=0.8"}, "/ru/"),
    ({"Accept-Language": "ky-KG,ky;q=0.9,ru;q=0.8"}, "/ky/"),
    ({"Accept-Language": "ky"}, "/ky/"),
    ({"Accept-Language": "ky-KG"}, "/ky/"),
    ({"Accept-Language": "ru-RU"}, "/ru/"),
    ({"Accept-Language": "en-US,en;q=0.9,ru;q=0.5"}, "/ru/"),
    ({"Accept-Language": "en"}, "/ky/"),
    ({"Accept-Language": "en", "Cookie": "lang=ru"}, "/ru/"),
    ({"Accept-Language": "de", "Cookie": "lang=ky"}, "/ky/"),
    ({"Cookie": "lang=ru"}, "/ru/"),
    ({"Cookie": "lang=en"}, "/ky/"),
    ({"Accept-Language": "ru", "Cookie": "lang=ky"}, "/ru/"),
    ({"Accept-Language": "ky", "Cookie": "lang=ru"}, "/ky/"),
])
def test_root_redirects(client, headers, target):
    headers = dict(headers)
    cookie = headers.pop("Cookie", None)
    if cookie:
        name, value = cookie.split("=")
        client.set_cookie(name, value)
    response = client.get("/", headers=headers)
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == target


def test_visiting_a_language_remembers_it(app, client):
    response = client.get("/ru/")
    assert "lang=ru" in response.headers.get("Set-Cookie", "")
    # and / then goes there when Accept-Language names neither language
    response = fresh_get(app, client, "/", headers={"Accept-Language": "en"})
    assert urlsplit(response.headers["Location"]).path == "/ru/"


# --- home ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_home(client, session, lang):
    html = page(client, f"/{lang}/")
    assert html_lang(html) == lang
    for region in session.scalars(select(Region)):
        assert region.name(lang) in html
        assert f'href="/{lang}/r/{region.code}/"' in html
    assert f'action="/{lang}/search"' in html


def test_home_names_in_page_language(client):
    ky = page(client, "/ky/")
    assert "Ысык-Көл облусу" in ky and "Иссык-Кульская область" not in ky


def test_home_ru_names(client):
    ru = page(client, "/ru/")
    assert "Иссык-Кульская область" in ru and "Ысык-Көл облусу" not in ru


@pytest.mark.parametrize("url", ["/xx/", "/en/", "/xx/m/41702205805000/", "/KY/"])
def test_unknown_language_is_404(client, url):
    response = client.get(url)
    assert response.status_code == 404


def test_without_trailing_slash_redirects(client):
    response = client.get(f"/ru/m/{AK_BULUN}")
    assert response.status_code in (301, 308)
    assert urlsplit(response.headers["Location"]).path == f"/ru/m/{AK_BULUN}/"


# --- the language switch -------------------------------------------------------------------------

def test_language_switch_keeps_the_place(client):
    html = page(client, f"/ru/m/{AK_BULUN}/")
    assert switch_link(html, "ky") == f"/ky/m/{AK_BULUN}/"
    html = page(client, f"/ky/m/{AK_BULUN}/")
    assert switch_link(html, "ru") == f"/ru/m/{AK_BULUN}/"


@pytest.mark.parametrize("url", ["/ru/", f"/ru/r/{ISSYK_KUL}/", f"/ru/d/{AK_SUU}/", "/ru/search"])
def test_language_switch_on_other_pages(client, url):
    html = page(client, url)
    assert switch_link(html, "ky") == "/ky/" + url[len("/ru/"):]
    # the current language is shown, not linked
    assert [a for a, _ in links(html) if a.get("hreflang") == "ru"] == []


def test_language_switch_keeps_the_query(client):
    html = page(client, "/ru/search?q=%D0%90%D0%BA-%D0%91%D1%83%D0%BB%D1%83%D0%BD")
    target = urlsplit(switch_link(html, "ky"))
    assert target.path == "/ky/search"
    assert parse_qs(target.query) == {"q": ["Ак-Булун"]}


def test_alternate_link_in_head(client):
    html = page(client, f"/ky/m/{AK_BULUN}/")
    head = html.split("</head>", 1)[0]
    assert f'<link rel="alternate" hreflang="ru" href="/ru/m/{AK_BULUN}/">' in head


def test_language_switch_on_a_404_page(client):
    html = page(client, "/ru/m/41799999999999/", status=404)
    assert switch_link(html, "ky") == "/ky/m/41799999999999/"


# --- region, district, municipality --------------------------------------------------------------

@pytest.mark.parametrize("lang, region, district", [
    ("ru", "Иссык-Кульская область", "Ак-Суйский район"),
    ("ky", "Ысык-Көл облусу", "Ак-Суу району"),
])
def test_region_page(client, lang, region, district):
    html = page(client, f"/{lang}/r/{ISSYK_KUL}/")
    assert html_lang(html) == lang
    assert region in html
    assert district in html
    assert f'href="/{lang}/d/{AK_SUU}/"' in html
    assert f'href="/{lang}/d/{KARAKOL}/"' in html


def test_republican_city_region_page_lists_the_city(client):
    html = page(client, f"/ru/r/{BISHKEK}/")
    assert "город Бишкек" in html
    assert f'href="/ru/m/{BISHKEK}/"' in html


@pytest.mark.parametrize("lang, district, aimak, other", [
    ("ru", "Ак-Суйский район", "Ак-Булунский айылный аймак", "Ак-Булуң айыл аймагы"),
    ("ky", "Ак-Суу району", "Ак-Булуң айыл аймагы", "Ак-Булунский айылный аймак"),
])
def test_district_page(client, session, lang, district, aimak, other):
    html = page(client, f"/{lang}/d/{AK_SUU}/")
    assert html_lang(html) == lang
    assert district in html
    assert aimak in html
    assert other not in html
    assert f'href="/{lang}/m/{AK_BULUN}/"' in html
    assert f'href="/{lang}/r/{ISSYK_KUL}/"' in html
    for m in session.scalars(select(Municipality).where(Municipality.district_code == AK_SUU)):
        assert f'href="/{lang}/m/{m.code}/"' in html


def test_municipality_page_ru(client):
    html = page(client, f"/ru/m/{AK_BULUN}/")
    assert html_lang(html) == "ru"
    assert "Ак-Булун" in html
    assert "Ак-Булунский айылный аймак" in html
    assert "Ак-Суйский район" in html
    assert "Иссык-Кульская область" in html
    for village in ("Ак-Булак", "Ак-Булун", "Токтогул", "Тюрген"):
        assert f"<li>{village}</li>" in html
    assert "Түргөн" not in html
    assert AK_BULUN in html
    assert f'href="/ru/d/{AK_SUU}/"' in html


def test_municipality_page_ky(client):
    html = page(client, f"/ky/m/{AK_BULUN}/")
    assert html_lang(html) == "ky"
    assert "Ак-Булуң айыл аймагы" in html
    assert "Ак-Суу району" in html
    assert "Ысык-Көл облусу" in html
    for village in ("Ак-Булак", "Ак-Булуң", "Токтогул", "Түргөн"):
        assert f"<li>{village}</li>" in html
    assert "Тюрген" not in html


def test_derived_name_note_only_in_kyrgyz(app, client):
    """Ак-Булуң is a derived (medium-confidence) Kyrgyz name, Каракол is not."""
    derived = fresh_get(app, client, f"/ky/m/{AK_BULUN}/").get_data(as_text=True)
    sourced = fresh_get(app, client, f"/ky/m/{KARAKOL}/").get_data(as_text=True)
    russian = fresh_get(app, client, f"/ru/m/{AK_BULUN}/").get_data(as_text=True)
    assert 'class="note"' in derived
    assert 'class="note"' not in sourced
    assert 'class="note"' not in russian


def test_population_is_shown_when_known(app, client, session):
    session.get(Municipality, AK_BULUN).population = 12345
    session.flush()
    ru = visible(fresh_get(app, client, f"/ru/m/{AK_BULUN}/"))
    assert re.search(r"12\s?345", ru)


def visible(response) -> str:
    return visible_text(response.get_data(as_text=True))


def test_city_page(client):
    html = page(client, f"/ru/m/{KARAKOL}/")
    assert "город Каракол" in html
    assert "Иссык-Кульская область" in html
    # the city is its own district: no district line, no district crumb
    assert f'href="/ru/d/{KARAKOL}/"' not in html


def test_ended_municipality_links_to_its_successor(app, client, session):
    import datetime as dt

    old = session.get(Municipality, AK_BULUN)
    old.valid_to = dt.date(2024, 12, 27)
    old.successor_code = "41702205807000"
    session.flush()
    html = page(client, f"/ru/m/{AK_BULUN}/")
    assert 'href="/ru/m/41702205807000/"' in html
    assert "Берю-Башский айылный аймак" in html
    assert "2024" in html


@pytest.mark.parametrize("url", ["/ru/m/41799999999999/", "/ru/r/41799000000000/", "/ru/d/41799999000000/",
                                 "/ky/m/41799999999999/", "/ky/r/nothing/", "/ky/nothing/here/"])
def test_unknown_unit_is_a_404_page_in_the_right_language(client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    lang = url.split("/")[1]
    assert html_lang(html) == lang
    assert f'href="/{lang}/"' in html


def test_404_without_language_follows_accept_language(app):
    ru = fresh_get(app, app.test_client(), "/nothing/here", headers={"Accept-Language": "ru"})
    assert ru.status_code == 404
    assert html_lang(ru.get_data(as_text=True)) == "ru"
    ky = fresh_get(app, app.test_client(), "/nothing/here")
    assert html_lang(ky.get_data(as_text=True)) == "ky"


def test_404_pages_differ_by_language(app, client):
    ru = fresh_get(app, client, "/ru/m/41799999999999/").get_data(as_text=True)
    ky = fresh_get(app, client, "/ky/m/41799999999999/").get_data(as_text=True)
    h1 = [re.search(r"<h1>(.*?)</h1>", html, re.S).group(1).strip() for html in (ru, ky)]
    assert h1[0] != h1[1]
    assert "This page does not exist" not in h1


# --- health, headers, static ---------------------------------------------------------------------

def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_healthz_503_when_the_database_is_down(tmp_path):
    from feedback import create_app

    broken = create_app({"TESTING": True, "SECRET_KEY": "x", "RATELIMIT_ENABLED": False,
                         "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing/dir/db.sqlite3"})
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] != "ok"
    with broken.app_context():
        db.engine.dispose()


def test_database_down_gives_a_503_page(tmp_path):
    from feedback import create_app

    broken = create_app({"TESTING": True, "SECRET_KEY": "x", "RATELIMIT_ENABLED": False,
                         "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing/dir/db.sqlite3"})
    response = broken.test_client().get(f"/ru/m/{AK_BULUN}/")
    assert response.status_code == 503
    assert html_lang(response.get_data(as_text=True)) == "ru"
    api = broken.test_client().get("/api/v1/municipalities")
    assert api.status_code == 503
    assert api.get_json()["error"]["code"] == "unavailable"
    with broken.app_context():
        db.engine.dispose()


@pytest.mark.parametrize("url", ["/ky/", f"/ru/m/{AK_BULUN}/", "/ru/m/41799999999999/", "/api/v1/catalog",
                                 "/healthz"])
def test_security_headers(client, url):
    headers = client.get(url).headers
    csp = headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"]


def test_pages_load_nothing_from_other_origins(client):
    html = page(client, f"/ru/m/{AK_BULUN}/")
    assert not re.search(r'(src|href)="(https?:)?//', html)


def test_static_css_is_cached(client):
    with client.get("/static/css/site.css") as response:
        assert response.status_code == 200
        assert response.mimetype == "text/css"
        max_age = re.search(r"max-age=(\d+)", response.headers["Cache-Control"])
        assert max_age and int(max_age.group(1)) >= 24 * 3600
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_pages_link_the_stylesheet(client):
    assert re.search(r'<link rel="stylesheet" href="/static/css/site.css\?v=[0-9a-f]{12}">', page(client, "/ky/"))


def test_viewport_and_charset(client):
    html = page(client, "/ru/")
    assert '<meta charset="utf-8">' in html
    assert 'name="viewport"' in html


def test_skip_link_targets_main(client):
    html = page(client, "/ky/")
    assert 'href="#main"' in html and 'id="main"' in html

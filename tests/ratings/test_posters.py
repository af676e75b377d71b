"""Printable QR posters: /<lang>/m/<soate>/poster and /<lang>/m/<soate>/poster/<subject>."""
import html

import pytest
import segno
from flask_babel import force_locale, gettext
from sqlalchemy import select

from feedback.catalog.models import MUNICIPALITY_KIND_APPLIES, Subject
from feedback.territory.models import Municipality

AIYL_CTA = "Rate the work of your aiyl okmotu!"
CITY_CTA = "Rate the work of your city hall!"
SCAN = "Scan the QR code with your phone — it takes only a minute."


def translated(lang: str, message: str) -> str:
    with force_locale(lang):
        return gettext(message)


@pytest.fixture
def aiyl_aimak(session) -> Municipality:
    return session.scalar(select(Municipality).where(Municipality.kind == "aiyl_aimak").order_by(Municipality.code))


@pytest.fixture
def city(session) -> Municipality:
    return session.scalar(select(Municipality).where(Municipality.kind == "city").order_by(Municipality.code))


@pytest.fixture
def qr_calls(monkeypatch):
    """What segno was asked to encode."""
    calls = []
    make = segno.make

    def spy(content, *args, **kwargs):
        calls.append((content, kwargs))
        return make(content, *args, **kwargs)

    monkeypatch.setattr(segno, "make", spy)
    return calls


def subject_for(session, kind: str, municipality_kind: str = "aiyl_aimak") -> Subject:
    query = select(Subject).where(Subject.kind == kind, Subject.retired.is_(False))
    if kind != "delegated_power":
        query = query.where(Subject.applies_to.in_(MUNICIPALITY_KIND_APPLIES[municipality_kind]))
    return session.scalar(query.order_by(Subject.position))


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_municipality_poster(client, aiyl_aimak, qr_calls, lang):
    response = client.get(f"/{lang}/m/{aiyl_aimak.code}/poster")
    assert response.status_code == 200
    page = html.unescape(response.text)
    url = f"http://localhost/{lang}/m/{aiyl_aimak.code}/rate"

    assert f'<html lang="{lang}">' in page
    assert "<svg" in page and 'class="qr"' in page
    assert qr_calls == [(url, {"error": "m", "micro": False})]
    assert f'href="{url}"' in page
    assert f"localhost/{lang}/m/{aiyl_aimak.code}/rate" in page
    assert aiyl_aimak.name_ky in page and aiyl_aimak.name_ru in page
    # Both calls to action whatever the page's language, Kyrgyz first.
    ky_cta, ru_cta = translated("ky", AIYL_CTA), translated("ru", AIYL_CTA)
    assert ky_cta in page and ru_cta in page
    assert translated("ky", SCAN) in page and translated("ru", SCAN) in page
    assert page.index('<section class="cta" lang="ky">') < page.index('<section class="cta" lang="ru">')
    assert "/static/css/poster.css" in page
    # The Content-Security-Policy forbids inline styles: the poster must not need any.
    assert "style=" not in page and "<style" not in page
    assert "site.css" not in page


def test_city_poster_names_the_city_hall(client, city):
    page = html.unescape(client.get(f"/ru/m/{city.code}/poster").text)
    assert translated("ky", CITY_CTA) in page and translated("ru", CITY_CTA) in page
    assert translated("ru", AIYL_CTA) not in page


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_subject_poster(client, session, aiyl_aimak, qr_calls, lang):
    subject = subject_for(session, "municipal_service")
    response = client.get(f"/{lang}/m/{aiyl_aimak.code}/poster/{subject.code}")
    assert response.status_code == 200
    page = html.unescape(response.text)
    url = f"http://localhost/{lang}/m/{aiyl_aimak.code}/rate/{subject.code}"
    assert qr_calls[0][0] == url
    assert f'href="{url}"' in page
    assert subject.name_ky in page and subject.name_ru in page
    assert "<svg" in page


def test_public_url_pins_the_printed_address(app, client, aiyl_aimak, qr_calls, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_URL", "https://baa.example.kg/")
    page = client.get(f"/ky/m/{aiyl_aimak.code}/poster").text
    assert qr_calls[0][0] == f"https://baa.example.kg/ky/m/{aiyl_aimak.code}/rate"
    assert f"baa.example.kg/ky/m/{aiyl_aimak.code}/rate" in page


def test_unknown_municipality_is_404(client):
    assert client.get("/ky/m/00000000000000/poster").status_code == 404
    assert client.get("/ru/m/nonsense/poster/LI-WATER").status_code == 404


def test_unknown_subject_is_404(client, aiyl_aimak):
    assert client.get(f"/ky/m/{aiyl_aimak.code}/poster/NO-SUCH-THING").status_code == 404


def test_delegated_power_is_404(client, session, aiyl_aimak):
    power = subject_for(session, "delegated_power")
    assert power is not None
    assert client.get(f"/ru/m/{aiyl_aimak.code}/poster/{power.code}").status_code == 404


def test_subject_of_the_other_kind_of_municipality_is_404(client, session, city):
    rural_only = session.scalar(select(Subject).where(Subject.applies_to == "aiyl_okmotu", Subject.kind != "delegated_power"))
    assert rural_only is not None, "the catalog has subjects for aiyl okmotus only (e.g. pastures)"
    assert client.get(f"/ru/m/{city.code}/poster/{rural_only.code}").status_code == 404


def test_unknown_language_is_404(client, aiyl_aimak):
    assert client.get(f"/en/m/{aiyl_aimak.code}/poster").status_code == 404

"""The privacy page, in both languages."""
import html

import pytest
from flask_babel import force_locale, gettext


def translated(lang: str, message: str, **variables) -> str:
    with force_locale(lang):
        return gettext(message, **variables)


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_privacy_page(client, lang):
    response = client.get(f"/{lang}/privacy")
    assert response.status_code == 200
    page = html.unescape(response.text)
    assert f'<html lang="{lang}">' in page
    for heading in ("What we store", "What we do not do", "How long we keep it", "Contact"):
        assert translated(lang, heading) in page
    # Says what is stored: the respondent cookie by its name, the phone only as a keyed hash.
    assert translated(lang, "A random identifier in a cookie named “%(name)s”. It lets you rate each service once a "
                            "year and change your rating later. It contains nothing about you.", name="respondent") in page
    assert translated(lang, "If you verify a phone number: only a keyed hash of the number, never the number itself. "
                            "It keeps your ratings together when you use another phone or browser, so that nobody can "
                            "rate the same thing twice.") in page
    assert 'href="/ky/privacy"' in page or lang == "ky"


def test_privacy_contact_comes_from_the_configuration(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "PRIVACY_CONTACT_EMAIL", "privacy@example.kg")
    page = client.get("/ru/privacy").text
    assert 'href="mailto:privacy@example.kg"' in page


def test_privacy_page_unknown_language(client):
    assert client.get("/en/privacy").status_code == 404

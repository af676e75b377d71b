"""What a native speaker notices: comments marked with their language, stored English texts shown
translated, numbers in the page's locale, and the Russian search page called «Поиск»."""
import re

import pytest

from feedback.i18n import stored_text, text_lang


@pytest.mark.parametrize("comment, lang", [
    ("Суу жок, көчөлөр караңгы", "ky"),           # Kyrgyz letters
    ("Суу жок жана жол жаман", "ky"),              # Kyrgyz words without Kyrgyz letters
    ("Воды нет, дороги плохие", "ru"),
    ("Очень хорошо", "ru"),
    ("OK 👍", "und"),
    ("", "und"),
])
def test_a_comment_carries_the_language_it_was_written_in(comment, lang):
    assert text_lang(comment) == lang


def test_stored_english_notes_are_translated(app):
    from flask_babel import force_locale

    with app.test_request_context("/ky/"):
        with force_locale("ky"):
            assert stored_text("Initial methodology.") == "Методологиянын биринчи версиясы."
        with force_locale("ru"):
            assert stored_text("Initial methodology.") == "Первая версия методологии."
            assert stored_text("Written by a person.") == "Written by a person."


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_numbers_follow_the_locale(app, lang):
    """Flask-Babel's decimalformat: what templates must use for any number with a fraction."""
    from flask import render_template_string
    from flask_babel import force_locale

    with app.test_request_context(f"/{lang}/"), force_locale(lang):
        text = render_template_string("{{ 0.25|decimalformat }} {{ 1.83|decimalformat }} {{ 12000|decimalformat }}")
    assert "." not in text and re.fullmatch(r"0,25 1,83 12\s000", text), text


def test_search_page_title(client):
    assert re.search(r"<title>Поиск\b", client.get("/ru/search?q=Ош").get_data(as_text=True))
    assert re.search(r"<title>Издөө\b", client.get("/ky/search?q=Ош").get_data(as_text=True))

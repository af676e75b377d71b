"""The translation gate: `flask i18n check` fails on what would show a page half in English."""
import os
import shutil
from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po

from feedback.i18n_tools import ROOT, check


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the translation files beside the real source, so that tests can break them."""
    for name in ("setup.cfg", "babel.cfg"):
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copytree(ROOT / "translations", tmp_path / "translations",
                    ignore=shutil.ignore_patterns("*.mo"))
    os.symlink(ROOT / "feedback", tmp_path / "feedback")
    return tmp_path


def edit_catalog(project: Path, lang: str, change) -> None:
    path = project / "translations" / lang / "LC_MESSAGES" / "messages.po"
    with open(path, "rb") as fh:
        catalog = read_po(fh, locale=lang)
    change(catalog)
    with open(path, "wb") as fh:
        write_po(fh, catalog, width=0)


def first_singular(catalog):
    return next(m for m in catalog if m.id and isinstance(m.id, str) and "%(" in m.id)


def test_shipped_catalogs_pass(project):
    assert check(project) == []


def test_empty_kyrgyz_translation_fails(project):
    def empty(catalog):
        first_singular(catalog).string = ""
    edit_catalog(project, "ky", empty)
    problems = check(project)
    assert any("empty translation" in p and "/ky/" in p for p in problems)


def test_fuzzy_translation_fails(project):
    edit_catalog(project, "ru", lambda c: first_singular(c).flags.add("fuzzy"))
    assert any("fuzzy" in p for p in check(project))


def test_placeholder_mismatch_fails(project):
    def rename(catalog):
        message = first_singular(catalog)
        message.string = message.string.replace("%(", "%(wrong_")
    edit_catalog(project, "ru", rename)
    assert any("placeholders" in p for p in check(project))


def test_stale_template_fails(project):
    pot = project / "translations" / "messages.pot"
    with open(pot, "rb") as fh:
        catalog = read_po(fh)
    catalog.delete(first_singular(catalog).id)
    with open(pot, "wb") as fh:
        write_po(fh, catalog, width=0)
    assert any("stale" in p for p in check(project))


def test_missing_message_in_catalog_fails(project):
    edit_catalog(project, "ky", lambda c: c.delete(first_singular(c).id))
    assert any("missing" in p for p in check(project))


# --- the glossary: one term per concept in both catalogs -----------------------------------------

def test_glossary_lists_both_languages_and_forbidden_variants():
    import csv

    with open(ROOT / "translations" / "glossary.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    concepts = {row["concept"]: row for row in rows}
    assert concepts["page"]["ky"] == "барак" and "баракча" in concepts["page"]["forbidden_ky"]
    assert concepts["lsg_body"]["ky"] == "ЖӨБ органы"
    assert "оценщик" in concepts["state_evaluator"]["forbidden_ru"]


@pytest.mark.parametrize("lang, term", [
    ("ky", "баракчага"),                               # page: барак, never баракча (any case ending)
    ("ky", "Башкы бет"),                               # page: never бет
    ("ky", "жергиликтүү өз алдынча башкаруу органына"),  # LSG body: ЖӨБ органы
    ("ky", "жергиликтүү бийликке"),
    ("ky", "упайларга"),                               # score: баа
    ("ky", "Отчётто"),                                 # a Russian word in a Kyrgyz sentence
    ("ru", "Государственный оценщик"),                 # a property appraiser, not the state evaluator
    ("ru", "Проверяющий"),
    ("ru", "местной власти"),
])
def test_a_term_outside_the_glossary_fails_the_check(project, lang, term):
    def use_term(catalog):
        message = first_singular(catalog)
        message.string = f"{message.string} {term}"
    edit_catalog(project, lang, use_term)
    problems = check(project)
    assert any("glossary" in p and f"/{lang}/" in p for p in problems), problems


def test_the_glossary_term_itself_passes(project):
    def use_term(catalog):
        message = first_singular(catalog)
        message.string = f"{message.string} ЖӨБ органына, барагына, баа"
    edit_catalog(project, "ky", use_term)
    assert check(project) == []


def test_the_glossary_check_runs_in_flask_i18n_check(project, monkeypatch):
    from click.testing import CliRunner

    from feedback import i18n_tools

    edit_catalog(project, "ky", lambda c: setattr(first_singular(c), "string", first_singular(c).string + " баракча"))
    monkeypatch.setattr(i18n_tools, "ROOT", project)
    monkeypatch.setattr(i18n_tools.check, "__defaults__", (project,))
    result = CliRunner().invoke(i18n_tools.check_command, [])
    assert result.exit_code != 0
    assert "glossary" in result.output


# --- words in Kyrgyz sentences -------------------------------------------------------------------

def read(lang):
    with open(ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po", "rb") as fh:
        return read_po(fh, locale=lang)


def test_no_bare_number_before_a_kyrgyz_postposition():
    """"%(low)s баштап" needs a case ending that depends on the number: such numbers move out."""
    import re

    for message in read("ky"):
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        for text in strings:
            assert not re.search(r"%\(\w+\)[sd]\s+(?:баштап|чейин|чейинки|ырасталган|деңгээлдин)", text or ""), text


def test_the_search_page_has_its_own_title_in_russian():
    catalog = read("ru")
    assert catalog.get("Search for a place").string == "Поиск"


def test_a_template_string_with_a_bare_percent_sign_fails(project):
    """Jinja's _() %-formats every string: "90 % W" raises on the page (seen: the methodology page
    answered 500 wherever the catalogs were not compiled, the msgid being shown)."""
    def break_it(catalog):
        message = next(m for m in catalog if m.id and isinstance(m.id, str) and "%" not in m.id
                       and any(f.endswith(".html") for f, _ in m.locations))
        message.string = message.string + " 90 % W"

    edit_catalog(project, "ru", break_it)
    assert any("fails Jinja's formatting" in problem for problem in check(project))


def test_a_template_msgid_with_a_bare_percent_sign_fails(project):
    """Shown untranslated, the msgid itself goes through Jinja's formatting."""
    path = project / "translations" / "messages.pot"
    with open(path, "rb") as fh:
        pot = read_po(fh)
    message = next(m for m in pot if m.id and isinstance(m.id, str) and "%" not in m.id
                   and any(f.endswith(".html") for f, _ in m.locations))
    message.id = message.id + " 90 % W"
    with open(path, "wb") as fh:
        write_po(fh, pot, width=0)
    assert any(problem.startswith(str(path)) and "fails Jinja's formatting" in problem for problem in check(project))

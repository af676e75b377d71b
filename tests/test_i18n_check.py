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

"""The translation workflow: `flask i18n extract|update|compile|check`, configured by setup.cfg.

`check` is the gate CI runs: the .pot matches the source, and neither catalog has an empty or fuzzy
translation, a missing message, a placeholder that differs from its msgid, or a term that
translations/glossary.csv forbids (one term per concept in both catalogs).
"""
import configparser
import csv
import os
import re
import tempfile
from pathlib import Path

import click
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po
from flask.cli import AppGroup

from .i18n import LANGUAGES

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"%(?:\((\w+)\))?[-#0 +]*\d*(?:\.\d+)?[sdifr%]")

i18n_cli = AppGroup("i18n", help="Extract, update, compile and check the translations.")


def _section(name: str, root: Path = ROOT) -> dict[str, str]:
    parser = configparser.ConfigParser()
    parser.read(root / "setup.cfg", encoding="utf-8")
    return dict(parser[name]) if parser.has_section(name) else {}


def _babel(*argv: str) -> None:
    CommandLineInterface().run(["pybabel", "-q", *argv])


def extract(output: Path | None = None, root: Path = ROOT) -> Path:
    cfg = _section("extract_messages", root)
    output = output or root / cfg["output_file"]
    args = ["extract", "-F", str(root / cfg["mapping_file"]), "-o", str(output), "--no-wrap", "--sort-by-file",
            "--project", "feedback", "--copyright-holder", "Feedback developers", "--omit-header"]
    for keyword in cfg.get("keywords", "").split():
        args += ["-k", keyword]
    if cfg.get("add_comments"):
        args += ["--add-comments", cfg["add_comments"]]
    # Relative input paths keep machine-specific folders out of the catalogs' comments.
    previous = os.getcwd()
    os.chdir(root)
    try:
        _babel(*args, *cfg["input_dirs"].split())
    finally:
        os.chdir(previous)
    return output


def update(root: Path = ROOT) -> None:
    cfg = _section("update_catalog", root)
    _babel("update", "-i", str(root / cfg["input_file"]), "-d", str(root / cfg["output_dir"]), "--no-wrap",
           "--ignore-obsolete", "--no-fuzzy-matching")


def compile_catalogs(root: Path = ROOT) -> None:
    cfg = _section("compile_catalog", root)
    _babel("compile", "-d", str(root / cfg["directory"]))


def _ids(catalog) -> set:
    return {(m.id if isinstance(m.id, str) else tuple(m.id), m.context) for m in catalog if m.id}


def _placeholders(text: str) -> list[str]:
    return sorted(m.group(0) if not m.group(1) else f"%({m.group(1)})" for m in PLACEHOLDER.finditer(text)
                  if m.group(0) != "%%")


GLOSSARY = Path("translations") / "glossary.csv"


def glossary_rules(root: Path = ROOT) -> dict[str, list[tuple[str, str, re.Pattern]]]:
    """{lang: [(concept, preferred term, forbidden variant)]} from translations/glossary.csv.

    Forbidden variants are separated by ";"; each is a regular expression matched, ignoring case, at
    the start of a word, so that "баракча" also catches "баракчага" and "баракчасына"."""
    rules: dict[str, list[tuple[str, str, re.Pattern]]] = {lang: [] for lang in LANGUAGES}
    path = root / GLOSSARY
    if not path.exists():
        return rules
    with open(path, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            for lang in LANGUAGES:
                for variant in filter(None, (row.get(f"forbidden_{lang}") or "").split(";")):
                    rules[lang].append((row["concept"], row[lang],
                                        re.compile(r"(?<!\w)(?:" + variant.strip() + ")", re.IGNORECASE)))
    return rules


def glossary_problems(catalog, lang: str, po_path: Path, rules) -> list[str]:
    problems = []
    for message in catalog:
        if not message.id:
            continue
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        for concept, preferred, pattern in rules.get(lang, ()):
            for text in strings:
                found = pattern.search(text or "")
                if found:
                    problems.append(f"{po_path}:{message.lineno}: {found.group(0)!r} is not the glossary's term for "
                                    f"{concept!r} (use {preferred!r}) in {ids[0]!r}")
                    break
    return problems


class _AnyValue(dict):
    """Any variable a template passes: its value does not matter to the format's validity."""

    def __missing__(self, key):
        return 0


def _in_template(message) -> bool:
    return any(filename.endswith(".html") for filename, _ in message.locations)


def _format_problems(where: str, message, texts) -> list[str]:
    """Jinja's ``_()`` always %-formats the string (with the variables given, or none): in a
    template's message a literal "%" must be written "%%", or the page fails whenever this string is
    shown (untranslated, it is the msgid itself)."""
    if not _in_template(message):
        return []
    problems = []
    for text in texts:
        try:
            text % _AnyValue()
        except (ValueError, TypeError) as error:
            problems.append(f"{where}: {text!r} fails Jinja's formatting: {error}")
    return problems


def check(root: Path = ROOT) -> list[str]:
    """Every problem with the catalogs under ``root`` (empty when they are fit to ship)."""
    problems: list[str] = []
    rules = glossary_rules(root)
    translations = root / _section("update_catalog", root)["output_dir"]
    pot_path = root / _section("extract_messages", root)["output_file"]
    if not pot_path.exists():
        return [f"{pot_path}: missing; run `flask i18n extract`"]
    with open(pot_path, "rb") as fh:
        pot = read_po(fh)
    with tempfile.TemporaryDirectory() as tmp:
        fresh_path = extract(Path(tmp) / "fresh.pot", root)
        with open(fresh_path, "rb") as fh:
            fresh = read_po(fh)
    for message in pot:
        if message.id:
            ids = [message.id] if isinstance(message.id, str) else list(message.id)
            problems.extend(_format_problems(f"{pot_path}:{message.lineno}", message, ids))
    if _ids(fresh) != _ids(pot):
        added, gone = len(_ids(fresh) - _ids(pot)), len(_ids(pot) - _ids(fresh))
        problems.append(f"{pot_path}: stale ({added} new, {gone} removed messages); run `make i18n`")
    for lang in LANGUAGES:
        po_path = translations / lang / "LC_MESSAGES" / "messages.po"
        if not po_path.exists():
            problems.append(f"{po_path}: missing")
            continue
        with open(po_path, "rb") as fh:
            catalog = read_po(fh, locale=lang)
        problems.extend(glossary_problems(catalog, lang, po_path, rules))
        missing = _ids(pot) - _ids(catalog)
        if missing:
            problems.append(f"{po_path}: {len(missing)} message(s) of the .pot are missing; run `make i18n`")
        for message in catalog:
            if not message.id:
                continue
            where = f"{po_path}:{message.lineno}"
            ids = [message.id] if isinstance(message.id, str) else list(message.id)
            strings = [message.string] if isinstance(message.string, str) else list(message.string)
            if message.fuzzy:
                problems.append(f"{where}: fuzzy translation of {ids[0]!r}")
            if any(not s for s in strings):
                problems.append(f"{where}: empty translation of {ids[0]!r}")
                continue
            expected = _placeholders(ids[-1])
            for s in strings:
                got = _placeholders(s)
                # A plural form may leave out the count (Kyrgyz and Russian often say "one" in words).
                if got != expected and not (len(ids) > 1 and set(got) <= set(expected)):
                    problems.append(f"{where}: placeholders {got} differ from {expected} in {ids[0]!r}")
            problems.extend(_format_problems(where, message, strings))
            for error in message.check(catalog):
                problems.append(f"{where}: {error}")
    return problems


@i18n_cli.command("extract")
def extract_command():
    """Write translations/messages.pot from the source."""
    click.echo(extract())


@i18n_cli.command("update")
def update_command():
    """Merge the .pot into the ky and ru catalogs."""
    update()


@i18n_cli.command("compile")
def compile_command():
    """Build the .mo files (they are not committed)."""
    compile_catalogs()


@i18n_cli.command("check")
def check_command():
    """Fail on a stale .pot, empty or fuzzy translations, mismatched placeholders, or a term the glossary
    (translations/glossary.csv) forbids."""
    problems = check()
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        raise click.ClickException(f"{len(problems)} translation problem(s)")
    click.echo("translations: ok")

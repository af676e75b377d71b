"""Kyrgyz names of places where no Kyrgyz source gives one.

The shipped names come from ``kg_names_ky.csv`` (294 from Kyrgyz sources, the rest by an audited rule
set, see its README). The rule here is the fallback for units that file does not know, such as those
of a newer registry: it turns the Russian administrative form into the Kyrgyz one and undoes the most
common Russian transliteration (Дж → Ж). Such names are flagged as derived so that an administrator
can correct them.
"""
import re

_AIMAK_RU = re.compile(r"^(?P<stem>.+?)(?:ский|цкий|ской)\s+айылный\s+аймак$", re.IGNORECASE)
_CITY_RU = re.compile(r"^(?:г\.|город)\s*(?P<stem>.+)$", re.IGNORECASE)


def kyrgyz_spelling(name_ru: str) -> str:
    """The Russian transliteration of a Kyrgyz place name, undone where it is unambiguous."""
    name = name_ru.replace("Дж", "Ж").replace("дж", "ж")
    return name


def municipality_names(name_ru: str, kind: str) -> tuple[str, str, str, str]:
    """(name_ru, name_ky, short_ru, short_ky) of a municipality from its Russian registry name.

    "Ак-Булунский айылный аймак" → "Ак-Булун айыл аймагы"; "г. Каракол" → "город Каракол",
    "Каракол шаары".
    """
    name_ru = " ".join(name_ru.split())
    if kind == "city":
        match = _CITY_RU.match(name_ru)
        short_ru = match.group("stem").strip() if match else name_ru
        short_ky = kyrgyz_spelling(short_ru)
        return f"город {short_ru}", f"{short_ky} шаары", short_ru, short_ky
    match = _AIMAK_RU.match(name_ru)
    short_ru = match.group("stem") if match else re.sub(r"\s+айылный\s+аймак$", "", name_ru)
    short_ky = kyrgyz_spelling(short_ru)
    return name_ru, f"{short_ky} айыл аймагы", short_ru, short_ky


def describe_method(method: str | None) -> str:
    """Where a Kyrgyz name comes from, in words (kg_names_ky.csv's methods: "rule:R18", "source:…",
    "kept-russian"; ours: "correction", "rule:feedback")."""
    from flask_babel import gettext as _

    method = method or ""
    if method == "correction":
        return _("corrected by a person")
    if method == "kept-russian":
        return _("the Russian name, kept unchanged")
    if method == "rule:feedback":
        return _("converted from the Russian name by this application's rule")
    if method.startswith("rule:"):
        return _("converted from the Russian name by rules %(rules)s of the name list",
                 rules=method.removeprefix("rule:").replace("+", ", "))
    if method.startswith("source:"):
        return _("taken from a Kyrgyz source: %(source)s", source=method.removeprefix("source:"))
    return method


def describe_confidence(confidence: str | None) -> str:
    from flask_babel import gettext as _

    return {"high": _("high confidence"), "medium": _("medium confidence"),
            "low": _("low confidence: check first")}.get(confidence or "", confidence or "")

"""Languages: Kyrgyz and Russian, chosen by the URL prefix (/ky/…, /ru/…).

`/` redirects by Accept-Language, then the cookie, and to Kyrgyz when unsure (PRODUCT.md).
WTForms ships no Kyrgyz messages, so forms take their validator messages from our own catalog.
"""
import functools
import re
import time

from flask import Flask, abort, g, request, url_for
from flask_babel import Babel, get_locale, get_translations
from flask_babel import lazy_gettext as _l
from werkzeug.http import dump_cookie

LANGUAGES = ("ky", "ru")
LANGUAGE_NAMES = {"ky": "Кыргызча", "ru": "Русский"}
COOKIE = "lang"

babel = Babel()


def current_lang() -> str:
    lang = g.get("lang")
    if lang in LANGUAGES:
        return lang
    return guess_lang()


def guess_lang() -> str:
    """For requests without a language in the URL: Accept-Language, then the cookie, then Kyrgyz."""
    best = request.accept_languages.best_match(LANGUAGES)
    if best:
        return best
    cookie = request.cookies.get(COOKIE)
    return cookie if cookie in LANGUAGES else "ky"


def pull_lang(endpoint, values):
    """url_value_preprocessor for the /<lang> blueprints."""
    if values is None or "lang" not in values:
        return
    lang = values.pop("lang")
    if lang not in LANGUAGES:
        abort(404)
    g.lang = lang


def push_lang(endpoint, values):
    """url_defaults: links inside a page keep the page's language."""
    if "lang" in values or not g.get("lang"):
        return
    from flask import current_app

    if current_app.url_map.is_endpoint_expecting(endpoint, "lang"):
        values["lang"] = g.lang


def switch_url(lang: str) -> str:
    """The same page in another language (the language switch keeps the place and the query)."""
    rule = request.url_rule
    # A page shown in answer to a POST-only route (a refused decision) switches to the language's home.
    if request.endpoint and rule and "lang" in rule.arguments and "GET" in (rule.methods or ()):
        args = dict(request.view_args or {})
        args["lang"] = lang
        query = request.args.to_dict()
        query.pop("lang", None)
        return url_for(request.endpoint, **args, **query)
    return url_for("territory.home", lang=lang)


COOKIE_MAX_AGE = 365 * 24 * 3600
_cookie_headers: dict[tuple[str, bool], tuple[int, str]] = {}  # (lang, secure) -> (second, Set-Cookie value)


def _cookie_header(lang: str, secure: bool) -> str:
    """The language cookie's Set-Cookie value, made once per second (its Expires is whole seconds):
    every first visit gets it, and werkzeug's dump_cookie costs as much as a signature."""
    now = int(time.time())
    kept = _cookie_headers.get((lang, secure))
    if kept is None or kept[0] != now:
        kept = _cookie_headers[lang, secure] = (now, dump_cookie(
            COOKIE, lang, max_age=COOKIE_MAX_AGE, expires=now + COOKIE_MAX_AGE, sync_expires=False,
            samesite="Lax", httponly=True, secure=secure))
    return kept[1]


def remember_lang(response):
    lang = g.get("lang")
    if request.path.startswith("/api/"):
        return response
    if lang in LANGUAGES and request.cookies.get(COOKIE) != lang:
        response.headers.add("Set-Cookie", _cookie_header(lang, request.is_secure))
    return response


# WTForms' own messages, marked here so that our catalogs carry their Kyrgyz and Russian forms.
WTFORMS_MESSAGES = (
    _l("This field is required."),
    _l("Not a valid choice."),
    _l("Not a valid integer value."),
    _l("Not a valid decimal value."),
    _l("Not a valid date value."),
    _l("Invalid input."),
    _l("Invalid email address."),
    _l("Invalid value, must be one of: %(values)s."),
    _l("Number must be between %(min)s and %(max)s."),
    _l("Field must be between %(min)d and %(max)d characters long."),
    _l("Field cannot be longer than %(max)d character."),
    _l("Field cannot be longer than %(max)d characters."),
    _l("Field must be at least %(min)d character long."),
    _l("Field must be at least %(min)d characters long."),
    _l("The CSRF token is missing."),
    _l("The CSRF token is invalid."),
    _l("The CSRF token has expired."),
    _l("The CSRF tokens do not match."),
    _l("The CSRF session token is missing."),
    _l("'%(value)s' is not a valid choice for this field."),
)


class FormTranslations:
    """The translations object WTForms asks for: our catalog in the page's language."""

    # WTForms formats the placeholders itself, so these return the bare translated text. Its singular
    # and plural messages are separate entries in our catalogs (marked above), not plural pairs.
    def gettext(self, string):
        return get_translations().ugettext(string)

    def ngettext(self, singular, plural, n):
        return get_translations().ugettext(singular if n == 1 else plural)


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=current_lang, timezone_selector=lambda: "Asia/Bishkek")
    app.after_request(remember_lang)
    app.jinja_env.globals.update(
        LANGUAGES=LANGUAGES, LANGUAGE_NAMES=LANGUAGE_NAMES, switch_url=switch_url, current_lang=current_lang,
        get_locale=get_locale,
    )
    # {% for r in regions|by_name %}: names sorted in the page's alphabet (Kyrgyz: … н ң о ө …).
    app.jinja_env.filters["by_name"] = lambda items: sorted_by_name(items, current_lang())
    app.jinja_env.filters["text_lang"] = text_lang
    app.jinja_env.filters["stored_text"] = stored_text


# Alphabets for sorting lists of names. Kyrgyz puts ң after н, ө after о and ү after у (Unicode
# code points would put them after я); Russian puts ё after е.
ALPHABETS = {
    "ky": "абвгдеёжзийклмнңоөпрстуүфхцчшщъыьэюя",
    "ru": "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
}
_ORDER = {lang: {letter: i for i, letter in enumerate(letters)} for lang, letters in ALPHABETS.items()}


@functools.lru_cache(maxsize=32768)
def collation_key(text: str, lang: str) -> tuple:
    """Sort key of ``text`` in the alphabet of ``lang``: letters first by that alphabet, ignoring case,
    hyphens and spaces; digits and Latin letters before Cyrillic; ties broken by the text itself."""
    order = _ORDER.get(lang, _ORDER["ru"])
    letters = []
    for ch in (text or "").lower():
        if ch in order:
            letters.append(1000 + order[ch])
        elif ch.isalnum():
            letters.append(ord(ch) if ord(ch) < 1000 else 2000 + ord(ch))
    return tuple(letters), text or ""


def sorted_by_name(items, lang: str, name=None):
    """Items sorted by their name in ``lang`` (a unit's Kyrgyz name on Kyrgyz pages)."""
    name = name or (lambda item: item.name(lang))
    return sorted(items, key=lambda item: collation_key(name(item), lang))


# Letters only Kyrgyz uses, and short words frequent in Kyrgyz and absent from Russian.
_KYRGYZ_LETTERS = frozenset("ңөүҢӨҮ")
_KYRGYZ_WORDS = frozenset(
    "жана менен үчүн эмес жок бар абдан бул ошол биз биздин сиз эч суу жол айыл көп аз керек болуп "
    "болот жакшы жаман эле да дагы деп тууралуу боюнча".split())
_RUSSIAN_WORDS = frozenset("и в не на что это как очень нет есть мы у нас вода дорога хорошо плохо".split())


def text_lang(text: str | None) -> str:
    """The language a resident wrote in ("ky" or "ru"), for the lang attribute of their comment, so
    that screen readers and hyphenation read it right. Kyrgyz letters or words decide; Cyrillic
    without them is Russian; anything else is left undetermined ("und")."""
    text = text or ""
    if any(ch in _KYRGYZ_LETTERS for ch in text):
        return "ky"
    words = set(re.findall(r"[а-яё]+", text.lower()))
    if words & _KYRGYZ_WORDS and len(words & _KYRGYZ_WORDS) >= len(words & _RUSSIAN_WORDS):
        return "ky"
    return "ru" if words else "und"


# Texts the application stores in English (notes written by code, not by a person), shown translated.
STORED_TEXTS = {
    "Initial methodology.": _l("Initial methodology."),
}


def stored_text(text: str | None) -> str:
    return str(STORED_TEXTS.get(text or "", text or ""))

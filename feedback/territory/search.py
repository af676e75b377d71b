"""Finding a municipality by its own name or a village's, however the resident spells it.

Both the stored names and the query are folded to one skeleton: case, hyphens and spaces are
ignored, the Kyrgyz letters ң ө ү fall together with н о у (phones without a Kyrgyz keyboard type
the Russian letters), ё with е, and Russian "Дж" with Kyrgyz "Ж". A second, Latin skeleton lets
"Ak-Bulun" or "Djety-Oguz" find the Cyrillic names. One query function serves the HTML search and
the API.
"""
import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import false, or_, select

from ..db import db
from .models import District, Municipality, Region, Village

_CYRILLIC_FOLD = str.maketrans({"ң": "н", "ө": "о", "ү": "у", "ё": "е", "ъ": "", "ь": "", "й": "и"})
_NOT_LETTER = re.compile(r"[^0-9a-zа-я]+")
_LATIN = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ж": "j", "з": "z", "и": "i",
    "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "h", "ц": "c", "ч": "ch", "ш": "sh", "щ": "sh", "ы": "i", "э": "e",
    "ю": "iu", "я": "ia",
}
# Latin spellings in use for the same sound, folded to one.
_LATIN_FOLD = (("dzh", "j"), ("dj", "j"), ("zh", "j"), ("kh", "h"), ("ts", "c"), ("yu", "iu"),
               ("ya", "ia"), ("y", "i"), ("w", "v"), ("q", "k"), ("x", "ks"), ("ee", "e"))


def fold(text: str) -> str:
    """The Cyrillic skeleton: "Ак-Булуң" and "ак булун" both give "акбулун"."""
    text = unicodedata.normalize("NFC", text).lower().translate(_CYRILLIC_FOLD).replace("дж", "ж")
    return _NOT_LETTER.sub("", text)


def fold_latin(text: str) -> str:
    """The Latin skeleton: "Ак-Булуң" and "AK-BULUN" both give "akbulun"."""
    # Strip accents first, so that "Özgön" and "Tüp" keep their letters (ң ө ү do not decompose).
    text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    text = "".join(_LATIN.get(ch, ch) for ch in fold(text))
    for old, new in _LATIN_FOLD:
        text = text.replace(old, new)
    return text


def search_key(*names: str) -> str:
    """What is stored with a unit: both skeletons of each of its names, space-separated."""
    keys: list[str] = []
    for name in names:
        for key in (fold(name), fold_latin(name)):
            if key and key not in keys:
                keys.append(key)
    return " ".join(keys)


def _query_key(query: str) -> str:
    latin = re.search(r"[a-zA-Z]", query) and not re.search(r"[а-яА-ЯёЁңөүҢӨҮ]", query)
    return fold_latin(query) if latin else fold(query)


def _like(key: str) -> str:
    # Keys hold only [0-9a-zа-я] and spaces, so LIKE wildcards cannot appear in them.
    return f"%{key}%"


@dataclass(frozen=True)
class SearchResult:
    municipality: Municipality
    village: Village | None  # the village whose name matched, if it was a village

    @property
    def code(self) -> str:
        return self.municipality.code


def search_municipalities(query: str, *, limit: int = 20, region: str | None = None,
                          district: str | None = None, kind: str | None = None) -> list[SearchResult]:
    """Municipalities whose own name or a village's name matches ``query``; own-name matches first."""
    key = _query_key(query or "")
    if len(key) < 2:
        return []
    pattern = _like(key)

    def scoped(stmt):
        if region:
            stmt = stmt.where(Municipality.region_code == region)
        if district:
            stmt = stmt.where(Municipality.district_code == district)
        if kind:
            stmt = stmt.where(Municipality.kind == kind)
        return stmt

    own = db.session.scalars(
        scoped(select(Municipality).where(Municipality.search_key.like(pattern)))
        .order_by(Municipality.valid_to.is_not(None), Municipality.name_ru).limit(limit)
    ).all()
    results = [SearchResult(m, None) for m in own]
    seen = {m.code for m in own}
    if len(results) < limit:
        rows = db.session.execute(
            scoped(select(Village, Municipality).join(Village.municipality)
                   .where(Village.search_key.like(pattern)))
            .order_by(Municipality.valid_to.is_not(None), Village.name_ru).limit(limit * 3)
        ).all()
        for village, municipality in rows:
            if municipality.code in seen:
                continue
            seen.add(municipality.code)
            results.append(SearchResult(municipality, village))
            if len(results) >= limit:
                break
    return results


def municipality_filter(query: str | None):
    """A WHERE clause for list endpoints that filter by ``q``: own name or a village's."""
    key = _query_key(query or "")
    if len(key) < 2:
        return false()
    village_match = select(Village.municipality_code).where(Village.search_key.like(_like(key)))
    return or_(Municipality.search_key.like(_like(key)), Municipality.code.in_(village_match))


__all__ = ["District", "Region", "SearchResult", "fold", "fold_latin", "search_key",
           "search_municipalities", "municipality_filter"]

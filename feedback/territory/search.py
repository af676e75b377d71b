"""Finding a municipality by its own name, a village's name, or a district's together with a place's,
however the resident spells it. One search and one ranking serve the HTML page and the API.

Every name and every query is folded to one Latin skeleton (``fold``):

- a word written mostly in one script has its look-alike letters of the other script read as that
  script's letters ("Aк-Суу" with a Latin A, "Kочкорка", "Кара-Balta");
- Cyrillic is transliterated, and the spellings residents type for the same sound fall together:
  ж/дж/j/dj/dzh/zh, ң/ng/n, ө/ö/oe/o, ү/ü/ue/u, ы/и/й/y/i, х/kh/h, ц/ts/c, ш/sh, ч/ch, щ/shch/sh,
  я/ya/ia, ю/yu/iu, ё/yo/e; ISO 9 letters with diacritics (č š ž ŝ â û ë) are read as their
  digraphs; soft and hard signs, case, hyphens and spaces are dropped, doubled letters count once;
- kind words ("г.", "город", "шаары", "село", "айыл окмоту", "району", "облусу"...) are dropped, and
  so is the Russian adjective ending of "Тонский район" or "Ак-Булунский айылный аймак".

Matches are ranked exact name, then prefix, then a word of the name, then near spellings (edit
distance scaled to the length, or the same consonants: "Daraut-Kurgan" finds Дароот-Коргон); within
a rank a municipality's own name before a village's, a city before aiyl aimaks, then by population
where known, then alphabetically in the page's language.

The index is built once per process from the registry and rebuilt whenever the registry changes:
it is kept under the shared reference version (``cache.version()``, the ``cache_version`` row that
every write to the registry or the catalog bumps in its own transaction), which each request reads
once anyway for the other cached pages.
"""
from __future__ import annotations

import bisect
import functools
import re
import threading
import unicodedata
from dataclasses import dataclass, field

from flask import current_app
from rapidfuzz import process
from rapidfuzz.distance import OSA, Levenshtein
from sqlalchemy import false, select

from ..db import db
from ..i18n import collation_key
from .models import District, Municipality, Region, Village

# --- normalisation ---------------------------------------------------------------------------------

_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "j", "з": "z",
    "и": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "ң": "n", "о": "o", "ө": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ү": "u", "ф": "f", "х": "h", "ц": "c",
    "ч": "ch", "ш": "sh", "щ": "sh", "ъ": "", "ы": "i", "ь": "", "э": "e", "ю": "yu", "я": "ya",
    # Kazakh and other Cyrillic letters a resident's keyboard may offer
    "қ": "k", "ғ": "g", "һ": "h", "ұ": "u", "і": "i", "ә": "a",
}
# ISO 9 (and other scientific transliterations) write one letter with a diacritic for a digraph.
_LATIN_DIACRITICS = {
    "č": "ch", "š": "sh", "ž": "j", "ŝ": "sh", "â": "ya", "û": "yu", "ë": "yo", "ǰ": "j",
    "ñ": "n", "ŋ": "n", "ı": "i", "ğ": "g", "ş": "sh", "ç": "ch",
}
# Latin spellings of one sound, longest first; applied to the transliterated word.
_LATIN_FOLD = (
    ("shch", "sh"), ("dzh", "j"), ("dj", "j"), ("zh", "j"), ("kh", "h"), ("ts", "c"), ("tz", "c"),
    ("ng", "n"), ("w", "v"), ("q", "k"), ("x", "h"), ("y", "i"),
)
# After y → i: я, ю, ё and the "ye" of Ананьево (Ananyevo) fall together with the bare vowel.
_VOWEL_FOLD = (("ia", "a"), ("iu", "u"), ("io", "e"), ("ie", "e"))
_DOUBLE = re.compile(r"(.)\1+")
_RU_ADJECTIVE = re.compile(r"(?:sk|ck)(?:i|aa|a|oe|o|e|ogo|om|oi|ie|ih)$")
# German-style umlauts typed in Latin (Koek, Tuep); Cyrillic о+е is not touched (Беловодское).
# A word-final "oe" is the Russian adjective ending (Centralnoe, Belovodskoe), not ө.
_LATIN_UMLAUT = re.compile(r"([ou])e(?=[a-z])")
_VOWELS = re.compile(r"[aeiou]")
# Look-alikes: letters that look the same in Latin and Cyrillic.
_LOOKALIKES = "aа AА BВ cс CС eе EЕ HН kк KК MМ oо OО pр PР TТ xх XХ yу YУ"
_LATIN_LOOKALIKE = str.maketrans({pair[0]: pair[1] for pair in _LOOKALIKES.split()})
_CYRILLIC_LOOKALIKE = str.maketrans({pair[1]: pair[0] for pair in _LOOKALIKES.split()})
_CYRILLIC_LETTER = re.compile(r"[а-яёңөүқғһұіә]", re.IGNORECASE)
_LATIN_LETTER = re.compile(r"[a-z]", re.IGNORECASE)
_NOT_KEY = re.compile(r"[^a-z0-9]")  # before ш and ч become S and C
_HYPHEN = re.compile(r"[\-‐–—]+")
_SPLIT = re.compile(r"[\s,;/()«»\"]+")

# Words that name the kind of unit, not the unit: dropped from names and queries alike.
KIND_WORDS = (
    "г", "гор", "город", "шаар", "шаары", "ш", "с", "село", "сел", "п", "пос", "поселок", "посёлок",
    "пгт", "айыл", "айылы", "кыштак", "кыштагы", "окмоту", "өкмөтү", "аймак",
    "аймагы", "айылный", "айылдык", "а/о", "ао", "аа", "а/а", "район", "района", "районе", "району",
    "р-н", "рн", "область", "области", "обл", "облусу", "мэрия", "мэриясы",
    "city", "town", "village", "district", "region", "oblast", "oblasty", "rayon", "raion",
    "aiyl", "ayil", "ayyl", "ail", "aimak", "aimagy", "okmotu", "okrug", "selo", "gorod", "shaary",
)


def _fix_lookalikes(word: str) -> str:
    """Read look-alike letters in the script most letters of their part of the word are written in
    ("Aк-Суу" → "Ак-Суу"; "Кара-Balta" keeps its two scripts, one per part)."""
    parts = re.split(r"([\-‐–—])", word)
    for i, part in enumerate(parts):
        cyrillic = len(_CYRILLIC_LETTER.findall(part))
        latin = len(_LATIN_LETTER.findall(part))
        if cyrillic and latin:
            parts[i] = part.translate(_LATIN_LOOKALIKE if cyrillic >= latin else _CYRILLIC_LOOKALIKE)
    return "".join(parts)


@functools.lru_cache(maxsize=65536)
def _fold_word(word: str) -> str:
    if _LATIN_LETTER.search(word) and _CYRILLIC_LETTER.search(word):
        word = _fix_lookalikes(word)
    word = unicodedata.normalize("NFC", word).lower()
    # Each hyphenated part on its own, so that vowels meeting at a hyphen stay apart (Сары-Ой).
    return _DOUBLE.sub(r"\1", "".join(_fold_part(part) for part in _HYPHEN.split(word)))


def _fold_part(word: str) -> str:
    word = _LATIN_UMLAUT.sub(r"\1", word)
    word = "".join([_LATIN_DIACRITICS.get(ch) or _CYRILLIC.get(ch, ch) for ch in word])
    if not word.isascii():
        # ö ü é and other accented Latin letters keep their base letter.
        word = "".join(ch for ch in unicodedata.normalize("NFKD", word) if not unicodedata.combining(ch))
    word = _NOT_KEY.sub("", word)
    for old, new in _LATIN_FOLD:
        word = word.replace(old, new)
    for old, new in _VOWEL_FOLD:
        word = word.replace(old, new)
    # ш and ч as one letter each, so that a Cyrillic typo costs one edit, not two (Бикек → Бишкек).
    word = word.replace("sh", "S").replace("ch", "C")
    return _DOUBLE.sub(r"\1", word)


def _strip_adjective(key: str) -> str:
    """"tonski" (Тонский) → "ton": Russian names of districts and aimaks are adjectives."""
    stem = _RU_ADJECTIVE.sub("", key)
    return stem if len(stem) >= 3 else key


KIND_KEYS = frozenset(_fold_word(w) for w in KIND_WORDS) - {""}


_LATIN_J = re.compile(r"(?<![dDzZ])[jJ]")
_AIYL_OKMOTU_ABBREVIATION = re.compile(r"(?<!\w)[аa]\s*/\s*[оoаa](?!\w)", re.IGNORECASE)


def _typed_words(text: str, keep_kind_words: bool = False) -> list[tuple[str, int]]:
    """(folded word, letters as typed) of each word, kind words dropped; hyphenated parts stay one."""
    out = []
    if not keep_kind_words:
        text = _AIYL_OKMOTU_ABBREVIATION.sub(" ", text or "")
    for raw in _SPLIT.split(text or ""):
        key = _fold_word(raw)
        if key and (keep_kind_words or key not in KIND_KEYS and raw.rstrip(".").lower() not in KIND_WORDS):
            out.append((_strip_adjective(key), _letters(raw)))
    return out


def words(text: str, *, keep_kind_words: bool = False) -> list[str]:
    """The folded words of a name or a query, kind words dropped; hyphenated parts stay one word."""
    return [key for key, _ in _typed_words(text, keep_kind_words)]


def _letters(text: str) -> int:
    return sum(ch.isalpha() for ch in text)


def fold(text: str) -> str:
    """The skeleton of a name: "Ак-Булуң айыл аймагы", "ak bulung" and "Ак-Булунский" give "akbulun"."""
    return _join(words(text))


def _join(keys) -> str:
    """Words joined into one skeleton: "Мырза Аке" and "Мырза-Аке" both give "mirzake"."""
    return _DOUBLE.sub(r"\1", "".join(keys))


def fold_latin(text: str) -> str:
    """Kept for callers of the former two-skeleton search: the skeleton is Latin."""
    return fold(text)


def consonants(key: str) -> str:
    """The consonant skeleton: transliterations differ most in their vowels (Daraut/Дароот)."""
    return _DOUBLE.sub(r"\1", _VOWELS.sub("", key))


def search_key(*names: str) -> str:
    """What is stored with a unit (territory loader, admin): the skeleton of each name, once."""
    keys: list[str] = []
    for name in names:
        key = fold(name)
        if key and key not in keys:
            keys.append(key)
    return " ".join(keys)


def _name_words(name: str) -> list[str]:
    """Words of a name split at hyphens too: "Чоң-Кемин" → ["chon", "kemin"]."""
    return [_strip_adjective(w) for w in (_fold_word(p) for p in re.split(r"[\s\-‐–—]+", name or ""))
            if len(w) >= 2 and w not in KIND_KEYS]


def max_typos(length: int) -> int:
    """Edits allowed for a query of this many letters: none up to 3, then about one per three."""
    if length <= 3:
        return 0
    if length <= 5:
        return 1
    if length <= 8:
        return 2
    return 3


# --- the index -------------------------------------------------------------------------------------

EXACT, PREFIX, WORD, NEAR = range(4)


@dataclass
class Entry:
    municipality: str
    village: str | None
    keys: tuple[str, ...]
    words: tuple[str, ...]
    kind: str
    region: str
    district: str | None
    population: int
    ended: bool
    name_ky: str
    name_ru: str


@dataclass
class SearchIndex:
    entries: list[Entry] = field(default_factory=list)
    exact: dict[str, list[int]] = field(default_factory=dict)
    sorted_keys: list[str] = field(default_factory=list)
    word: dict[str, set[int]] = field(default_factory=dict)
    skeleton: dict[str, list[int]] = field(default_factory=dict)
    choices: list[str] = field(default_factory=list)      # every key and word, for near matches
    choice_entries: list[list[int]] = field(default_factory=list)
    # context: a district, region or municipality named alongside a place ("Кочкор району Көк-Жар")
    context_keys: dict[str, set[str]] = field(default_factory=dict)
    context_choices: list[str] = field(default_factory=list)
    by_context: dict[str, set[int]] = field(default_factory=dict)
    districts: dict[str, set[str]] = field(default_factory=dict)  # district skeleton → codes
    municipalities: dict[str, Entry] = field(default_factory=dict)

    def add(self, entry: Entry, names: list[str]) -> None:
        idx = len(self.entries)
        self.entries.append(entry)
        keys = []
        for name in names:
            key = fold(name)
            if key and key not in keys:
                keys.append(key)
        entry.keys = tuple(keys)
        near: set[str] = set(keys)
        for key in keys:
            self.exact.setdefault(key, []).append(idx)
            skeleton = consonants(key)
            if len(skeleton) >= 3:
                self.skeleton.setdefault(skeleton, []).append(idx)
        name_words = []
        for name in names:
            for w in _name_words(name):
                self.word.setdefault(w, set()).add(idx)
                near.add(w)
                if w not in name_words:
                    name_words.append(w)
        entry.words = tuple(name_words)
        for key in near:
            self._choice_index.setdefault(key, []).append(idx)
        for context in (entry.district, entry.region, entry.municipality if entry.village else None):
            if context:
                self.by_context.setdefault(context, set()).add(idx)

    def add_context(self, code: str, names: list[str]) -> None:
        for name in names:
            for key in {fold(name), *(_name_words(name))}:
                if len(key) >= 2:
                    self.context_keys.setdefault(key, set()).add(code)

    def finish(self) -> None:
        self.sorted_keys = sorted(self.exact)
        self.choices = list(self._choice_index)
        self.choice_entries = [self._choice_index[c] for c in self.choices]
        self.context_choices = list(self.context_keys)
        del self._choice_index

    def __post_init__(self):
        self._choice_index: dict[str, list[int]] = {}


def build_index() -> SearchIndex:
    index = SearchIndex()
    districts = {d.code: d for d in db.session.execute(
        select(District.code, District.name_ky, District.name_ru, District.region_code))}
    for d in districts.values():
        index.add_context(d.code, [d.name_ky, d.name_ru])
        for name in (d.name_ky, d.name_ru):
            index.districts.setdefault(fold(name), set()).add(d.code)
    for r in db.session.execute(select(Region.code, Region.name_ky, Region.name_ru)):
        index.add_context(r.code, [r.name_ky, r.name_ru])
    rows = db.session.execute(select(
        Municipality.code, Municipality.name_ky, Municipality.name_ru, Municipality.short_name_ky,
        Municipality.short_name_ru, Municipality.kind, Municipality.region_code, Municipality.district_code,
        Municipality.population, Municipality.valid_to))
    for m in rows:
        entry = Entry(m.code, None, (), (), m.kind, m.region_code, m.district_code, m.population or 0,
                      m.valid_to is not None, m.name_ky, m.name_ru)
        index.municipalities[m.code] = entry
        index.add(entry, [m.name_ky, m.name_ru, m.short_name_ky, m.short_name_ru])
        index.add_context(m.code, [m.name_ky, m.name_ru, m.short_name_ky, m.short_name_ru])
    for v in db.session.execute(select(Village.code, Village.name_ky, Village.name_ru,
                                       Village.municipality_code, Village.population)):
        owner = index.municipalities.get(v.municipality_code)
        if owner is None:
            continue
        index.add(Entry(owner.municipality, v.code, (), (), owner.kind, owner.region, owner.district,
                        v.population or 0, owner.ended, v.name_ky, v.name_ru), [v.name_ky, v.name_ru])
    index.finish()
    return index


_lock = threading.Lock()


def current_index() -> SearchIndex:
    """The process's index of the registry, rebuilt when the shared reference version changes."""
    from .. import cache

    if cache.written():
        # This transaction changed the reference data (not yet committed): an index of what it
        # sees, kept by no one, so that a rollback leaves no trace under any version.
        return build_index()
    version = cache.version()
    store = current_app.extensions.setdefault("territory_search", {})
    kept = store.get("index")
    if kept is not None and kept[0] == version:
        return kept[1]
    with _lock:
        kept = store.get("index")
        if kept is not None and kept[0] == version:
            return kept[1]
        index = build_index()
        store["index"] = (version, index)
    return index


# --- matching --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Match:
    entry: int
    tier: int
    distance: int
    unexplained: int = 0


def _match_place(index: SearchIndex, key: str, allowed: set[int] | None = None,
                 typed: int = 0, near: bool = True) -> dict[int, Match]:
    """Entries whose name matches the folded ``key``, best match per entry; only ``allowed`` ones
    when given (a place inside a named district: compared one by one, they are few)."""
    found: dict[int, Match] = {}

    def put(idx: int, tier: int, distance: int = 0) -> None:
        if allowed is not None and idx not in allowed:
            return
        old = found.get(idx)
        if old is None or (tier, distance) < (old.tier, old.distance):
            found[idx] = Match(idx, tier, distance)

    for idx in index.exact.get(key, ()):
        put(idx, EXACT)
    # Typos allowed by the length as typed: folding shortens "Төөйкөн" (a typo of Төлөйкөн) to "toikon";
    # but never half of what is left ("zzqqxx" folds to "zkh").
    typos = min(max_typos(max(len(key), typed)), max(0, (len(key) - 1) // 2)) if near else 0
    skeleton = consonants(key) if typos else ""
    if allowed is not None and len(allowed) <= 300:
        for idx in allowed:
            entry = index.entries[idx]
            for name_key in entry.keys:
                if name_key.startswith(key):
                    put(idx, PREFIX, len(name_key) - len(key))
                elif typos and (consonants(name_key) == skeleton and len(skeleton) >= 3):
                    put(idx, NEAR, 2 * typos + 1)
            for w in entry.words:
                if w == key:
                    put(idx, WORD)
            if typos:
                for candidate in (*entry.keys, *entry.words):
                    distance = OSA.distance(key, candidate, score_cutoff=typos)
                    if distance <= typos:
                        put(idx, NEAR, _near(key, candidate, distance))
        return found
    if len(key) >= 2:
        start = bisect.bisect_left(index.sorted_keys, key)
        for name_key in index.sorted_keys[start:]:
            if not name_key.startswith(key):
                break
            for idx in index.exact[name_key]:
                put(idx, PREFIX, len(name_key) - len(key))
    for idx in index.word.get(key, ()):
        put(idx, WORD)
    if typos:
        for choice, distance, pos in process.extract(
                key, index.choices, scorer=OSA.distance, score_cutoff=typos, limit=None):
            for idx in index.choice_entries[pos]:
                put(idx, NEAR, _near(key, choice, distance))
        if len(skeleton) >= 3:
            for idx in index.skeleton.get(skeleton, ()):
                put(idx, NEAR, 2 * typos + 1)
    return found


def _near(key: str, name: str, distance: int) -> int:
    """Order of near matches: fewer edits first; at equal edits, a name that starts like the query
    (people rarely mistype the first letter)."""
    return 2 * distance + (key[:1] != name[:1])


def _match_context(index: SearchIndex, key: str) -> set[str]:
    """Codes of districts, regions or municipalities named by ``key`` (exact, or near)."""
    codes = set(index.context_keys.get(key, ()))
    typos = max_typos(len(key))
    if typos and not codes:
        for choice, _, _ in process.extract(key, index.context_choices, scorer=Levenshtein.distance,
                                            score_cutoff=typos, limit=None):
            codes |= index.context_keys[choice]
    return codes


def _matches(index: SearchIndex, tokens: list[str], typed: list[int]) -> dict[int, Match]:
    """Try every contiguous run of the words as the place and the other words as its district,
    region or municipality. Only when that finds nothing are words left unexplained (ranked lower)."""
    best: dict[int, Match] = {}

    def keep(found: dict[int, Match], unexplained: int) -> None:
        for idx, match in found.items():
            match = Match(idx, match.tier, match.distance, unexplained)
            old = best.get(idx)
            if old is None or _rank(match) < _rank(old):
                best[idx] = match

    n = len(tokens)
    spans = [(i, j) for i in range(n) for j in range(i + 1, n + 1)]
    for i, j in spans:
        place, rest = _join(tokens[i:j]), tokens[:i] + tokens[j:]
        if not rest:
            keep(_match_place(index, place, typed=sum(typed[i:j])), 0)
            continue
        allowed: set[int] = set()
        for code in _match_context(index, _join(rest)):
            allowed |= index.by_context.get(code, set())
        if allowed:
            keep(_match_place(index, place, allowed, typed=sum(typed[i:j])), 0)
    # A district's name alone ("Аксы"): its municipalities, after the places of that name.
    for code in index.districts.get(_join(tokens), ()):
        keep({idx: Match(idx, WORD, 1) for idx in index.by_context.get(code, ())
              if index.entries[idx].village is None}, 0)
    if not best and n > 1:
        for i in range(n):
            keep(_match_place(index, tokens[i], typed=typed[i]), n - 1)
    return best


def _rank(match: Match) -> tuple:
    return match.unexplained, match.tier, match.distance


@dataclass(frozen=True)
class Hit:
    """One municipality found, and the village whose name matched (None: its own name did)."""

    code: str
    village_code: str | None
    tier: int
    distance: int


def rank(query: str, *, lang: str = "ky", region: str | None = None, district: str | None = None,
         kind: str | None = None, include_ended: bool = True) -> list[Hit]:
    """Every municipality matching ``query``, best first (the one ranking of page and API)."""
    query = (query or "")[:200]
    pairs = _typed_words(query)[:6]
    tokens, typed = [key for key, _ in pairs], [letters for _, letters in pairs]
    if not tokens or len(_join(tokens)) < 2:
        return []
    index = current_index()
    found = _matches(index, tokens, typed)
    # Latin j is ж to most people (Jalal-Abad) but й/я/ё/ю in ISO 9 and German-style spellings
    # (Maj, Oktjabr, Semjonovka): read it both ways and keep each place's better match.
    if _LATIN_J.search(query):
        variant = _typed_words(_LATIN_J.sub("y", query))[:6]
        for idx, match in _matches(index, [k for k, _ in variant], [n for _, n in variant]).items():
            if idx not in found or _rank(match) < _rank(found[idx]):
                found[idx] = match
    # A kind word may be part of a name written with a space ("Кыргыз кыштак" for Кыргыз-Кыштак).
    whole = _join(words(query, keep_kind_words=True))
    if whole != _join(tokens):
        for idx, match in _match_place(index, whole, near=False).items():
            if idx not in found or _rank(match) < _rank(found[idx]):
                found[idx] = match
    per_municipality: dict[str, tuple[tuple, Match]] = {}
    for idx, match in found.items():
        entry = index.entries[idx]
        if region and entry.region != region or district and entry.district != district \
                or kind and entry.kind != kind or (entry.ended and not include_ended):
            continue
        owner = index.municipalities[entry.municipality]
        key = (entry.ended, *_rank(match), entry.village is not None, entry.kind != "city",
               -entry.population, collation_key(entry.name_ky if lang == "ky" else entry.name_ru, lang),
               collation_key(owner.name_ky if lang == "ky" else owner.name_ru, lang))
        old = per_municipality.get(entry.municipality)
        if old is None or key < old[0]:
            per_municipality[entry.municipality] = (key, match)
    ordered = sorted(per_municipality.items(), key=lambda item: item[1][0])
    return [Hit(code, index.entries[m.entry].village, m.tier, m.distance) for code, (_, m) in ordered]


def suggestions(query: str, *, lang: str = "ky", limit: int = 3) -> list[str]:
    """"Did you mean": the names nearest to a query that found nothing."""
    key = fold(query or "")
    if len(key) < 2:
        return []
    index = current_index()
    names: list[str] = []
    for _, _, pos in process.extract(key, index.choices, scorer=Levenshtein.normalized_distance,
                                          limit=limit * 4):
        for idx in index.choice_entries[pos]:
            entry = index.entries[idx]
            name = entry.name_ky if lang == "ky" else entry.name_ru
            if entry.village is None:
                owner = index.municipalities[entry.municipality]
                name = (owner.name_ky if lang == "ky" else owner.name_ru)
            if name not in names:
                names.append(name)
    return names[:limit]


# --- results with their records ------------------------------------------------------------------

@dataclass(frozen=True)
class SearchResult:
    municipality: Municipality
    village: Village | None  # the village whose name matched, if it was a village

    @property
    def code(self) -> str:
        return self.municipality.code


def load_results(hits: list[Hit]) -> list[SearchResult]:
    """The records of ``hits``, in their order (two queries whatever their number)."""
    from sqlalchemy.orm import joinedload

    if not hits:
        return []
    codes = [h.code for h in hits]
    municipalities = {m.code: m for m in db.session.scalars(
        select(Municipality).where(Municipality.code.in_(codes))
        .options(joinedload(Municipality.district), joinedload(Municipality.region)))}
    village_codes = [h.village_code for h in hits if h.village_code]
    villages = {v.code: v for v in db.session.scalars(
        select(Village).where(Village.code.in_(village_codes)))} if village_codes else {}
    return [SearchResult(municipalities[h.code], villages.get(h.village_code) if h.village_code else None)
            for h in hits if h.code in municipalities]


def search_municipalities(query: str, *, limit: int = 20, region: str | None = None,
                          district: str | None = None, kind: str | None = None,
                          lang: str = "ky") -> list[SearchResult]:
    """The best ``limit`` municipalities for ``query`` with their records (HTML page, admin)."""
    return load_results(rank(query, lang=lang, region=region, district=district, kind=kind)[:limit])


def municipality_filter(query: str | None):
    """A WHERE clause on ``Municipality`` for lists filtered by a typed name (the moderation queue,
    the evaluator's worklist): the municipalities the one search finds, however the name is typed."""
    codes = [hit.code for hit in rank(query or "")]
    return Municipality.code.in_(codes) if codes else false()


__all__ = ["Hit", "municipality_filter", "SearchResult", "fold", "rank", "search_key", "search_municipalities", "suggestions",
           "words"]

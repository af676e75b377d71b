"""Reading a resident's SMS: ``AB12 C 4 the water is muddy`` → municipality short code, subject short
code, overall score, comment.

People type on push-button phones and in either alphabet, so the code part forgives: lower case,
Cyrillic letters that look like the Latin ones of the codes (А В С Е Н К М Р Т Х, also У→Y), a letter
O typed for a zero and I/l for a one, any spaces, dashes, dots or commas between the parts, or none.
The comment is kept as the resident typed it. The help words ЖАРДАМ, ПОМОЩЬ and HELP are recognised
with small misspellings and in transliteration.

Budget priorities: the word БЮДЖЕТ (the same in Kyrgyz and Russian; also BUDGET or a transliteration,
with small misspellings), the municipality's code, then one to three codes of local issues in the
order of importance, apart: ``БЮДЖЕТ AB12 C E H``.
"""
import difflib
import re
import unicodedata
from dataclasses import dataclass

from .shortcodes import LETTERS

# Cyrillic (and a few Latin) look-alikes → the Latin letter of the codes; one character for one,
# so that positions in the mapped text are positions in the original.
LOOKALIKES = str.maketrans({
    "А": "A", "В": "B", "С": "C", "Е": "E", "Ё": "E", "Н": "H", "К": "K", "М": "M", "Р": "P", "Т": "T",
    "Х": "X", "У": "Y", "О": "O", "І": "I", "Ӏ": "I", "З": "3",
})
DIGIT_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1", "|": "1"})
CODE_LETTERS = f"[{LETTERS}]"
SEPARATOR = r"[\s\-.,:;/_]*"
MESSAGE = re.compile(
    rf"^{SEPARATOR}(?P<m_letters>{CODE_LETTERS}{{2}}){SEPARATOR}(?P<m_digit1>[0-9OIL|])[\s\-.]*(?P<m_digit2>[0-9OIL|]){SEPARATOR}"
    rf"(?P<subject>{CODE_LETTERS}{{1,2}}){SEPARATOR}(?P<score>[0-9])(?![0-9])[\s\-.,:;!]*"
)
# Something that starts like a code but is not one: the reply explains the format.
HELP_WORDS = {"ЖАРДАМ": "ky", "JARDAM": "ky", "ZHARDAM": "ky", "DZHARDAM": "ky",
              "ПОМОЩЬ": "ru", "POMOSHCH": "ru", "POMOSH": "ru", "POMOSCH": "ru", "HELP": None, "?": None}
PRIORITY_WORDS = ("БЮДЖЕТ", "BUDGET", "BYUDZHET", "BJUDZHET", "BIUDZHET", "BUDZHET", "BUDJET")
PRIORITY_START = re.compile(r"^\s*(?P<word>[^\s\-.,:;/_0-9]+)")
MUNICIPALITY = re.compile(
    rf"^{SEPARATOR}(?P<m_letters>{CODE_LETTERS}{{2}}){SEPARATOR}(?P<m_digit1>[0-9OIL|])[\s\-.]*(?P<m_digit2>[0-9OIL|])"
)
ISSUE_SEPARATOR = re.compile(r"[\s\-.,:;/_]+")
ISSUE_CODE = re.compile(rf"{CODE_LETTERS}{{1,2}}")
KYRGYZ_LETTERS = re.compile("[ңөүҢӨҮ]")
KYRGYZ_WORDS = re.compile(r"\b(жок|жакшы|жаман|эмес|суу|жол|рахмат|абдан|көп|бар|мен|биз|айыл|менен|үчүн)\b", re.IGNORECASE)
CYRILLIC = re.compile("[а-яёА-ЯЁ]")


@dataclass
class Parsed:
    kind: str  # "rating", "priorities", "help", "empty", "format", "priorities_format"
    municipality: str | None = None
    subject: str | None = None
    score: int | None = None
    comment: str | None = None
    lang: str | None = None  # the language the message is written in, when it shows
    issues: list[str] | None = None  # budget priorities: the issues' short codes, most important first


def _clean(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text or "").split())


def language_of(text: str) -> str | None:
    """Kyrgyz when the text has its letters or common words, Russian for other Cyrillic text."""
    if KYRGYZ_LETTERS.search(text) or KYRGYZ_WORDS.search(text):
        return "ky"
    if CYRILLIC.search(text):
        return "ru"
    return None


def _help(text: str) -> Parsed | None:
    word = text.upper().strip(" !.?") or text.strip()
    if " " in word or len(word) > 12:
        return None
    if word in HELP_WORDS:
        return Parsed("help", lang=HELP_WORDS[word])
    close = difflib.get_close_matches(word, HELP_WORDS, n=1, cutoff=0.7)
    if close:
        return Parsed("help", lang=HELP_WORDS[close[0]] or language_of(text))
    return None


def _priority_word(word: str) -> bool:
    word = word.upper()
    return word in PRIORITY_WORDS or bool(difflib.get_close_matches(word, PRIORITY_WORDS, n=1, cutoff=0.8))


def _priorities(text: str) -> Parsed | None:
    """``БЮДЖЕТ AB12 C E H`` → the municipality and the issues' codes; None when the message does not
    start with the keyword; "priorities_format" when it does but the rest cannot be read."""
    start = PRIORITY_START.match(text)
    if start is None or not _priority_word(start["word"]):
        return None
    rest = text[start.end():].upper().translate(LOOKALIKES)
    match = MUNICIPALITY.match(rest)
    codes = [c for c in ISSUE_SEPARATOR.split(rest[match.end():]) if c] if match else []
    if match is None or not codes or not all(ISSUE_CODE.fullmatch(c) for c in codes):
        return Parsed("priorities_format")
    # The keyword is one word in both languages: the reply follows the municipality's usual language.
    return Parsed("priorities", municipality=match["m_letters"] + (match["m_digit1"] + match["m_digit2"]).translate(
        DIGIT_LOOKALIKES), issues=codes)


def parse(text: str) -> Parsed:
    cleaned = _clean(text)
    if not cleaned:
        return Parsed("empty")
    found = _help(cleaned) or _priorities(cleaned)
    if found:
        return found
    mapped = cleaned.upper().translate(LOOKALIKES)
    match = MESSAGE.match(mapped)
    if match is None:
        return Parsed("format", lang=language_of(cleaned))
    comment = cleaned[match.end():].strip() or None
    return Parsed(
        "rating",
        municipality=match["m_letters"] + (match["m_digit1"] + match["m_digit2"]).translate(DIGIT_LOOKALIKES),
        subject=match["subject"], score=int(match["score"]), comment=comment,
        # The codes are typed alike in both alphabets: only the comment tells the language.
        lang=language_of(comment or ""),
    )

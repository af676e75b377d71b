"""Writes search_queries.csv: resident-style queries with the municipality each should find.

Run once (``python tests/territory/generate_search_queries.py``); the CSV is the test data and is
reviewed by hand. The queries are made from the reference files with transliterators written here
independently of feedback/territory/search.py (BGN/PCGN and ISO 9 of the Russian names, the informal
Latin people type for the Kyrgyz names), one-letter typos, kind words, districts and look-alike
letters, plus the hand-written queries of issue 9. A name shared by more than three municipalities
cannot be told apart without its district, so such names are asked with their district.
"""
import csv
import random
import re
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "feedback" / "data" / "territory"
OUT = Path(__file__).resolve().parent / "search_queries.csv"

BGN = {"а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "zh", "з": "z",
       "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
       "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch",
       "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya"}
ISO9 = {**BGN, "ё": "ë", "ж": "ž", "й": "j", "х": "h", "ц": "c", "ч": "č", "ш": "š", "щ": "ŝ",
        "ь": "ʹ", "ъ": "ʺ", "э": "è", "ю": "û", "я": "â", "ң": "ṇ", "ө": "ô", "ү": "ù"}
KY_INFORMAL = {**BGN, "ж": "j", "ң": "ng", "ө": "ö", "ү": "ü", "х": "h", "ы": "y", "й": "y"}
KY_PLAIN = {**KY_INFORMAL, "ө": "o", "ү": "u", "ң": "n"}
KY_OE = {**KY_INFORMAL, "ө": "oe", "ү": "ue"}
RU_INFORMAL = {**BGN, "ж": "j", "х": "h", "ы": "i", "й": "i", "я": "ia", "ю": "iu", "ц": "c"}
RU_DJ = {**BGN, "ж": "dj", "ы": "i", "я": "ja", "ё": "e"}
SCHEMES = {"bgn": BGN, "iso9": ISO9, "ky_informal": KY_INFORMAL, "ky_plain": KY_PLAIN, "ky_oe": KY_OE,
           "ru_informal": RU_INFORMAL, "ru_dj": RU_DJ}
LOOKALIKE = {"а": "a", "о": "o", "е": "e", "к": "k", "с": "c", "р": "p", "х": "x", "у": "y",
             "А": "A", "О": "O", "Е": "E", "К": "K", "С": "C", "Р": "P", "Т": "T", "Н": "H", "М": "M",
             "В": "B", "Х": "X"}
KEYBOARD_NEIGHBOURS = {"а": "впм", "о": "лра", "е": "кн", "и": "мт", "ы": "фв", "у": "кг", "к": "уе",
                       "н": "ег", "л": "од", "р": "по", "с": "чм", "т": "иь", "б": "ью", "д": "лж"}

BGN_E_AFTER = "аеёиоуыэюяъь"


def translit(name: str, scheme: dict) -> str:
    out = []
    for i, ch in enumerate(name):
        low = ch.lower()
        if low not in scheme:
            out.append(ch)
            continue
        value = scheme[low]
        if scheme in (BGN, RU_INFORMAL) and low == "е" and (i == 0 or name[i - 1].lower() in BGN_E_AFTER + " -"):
            value = "ye"
        out.append(value.capitalize() if ch.isupper() else value)
    return "".join(out)


def typo(name: str, rng: random.Random) -> str:
    letters = [i for i, ch in enumerate(name) if ch.isalpha()]
    i = rng.choice(letters[1:-1] or letters)
    action = rng.choice(["drop", "swap", "near"])
    if action == "drop":
        return name[:i] + name[i + 1:]
    if action == "swap" and i + 1 < len(name) and name[i + 1].isalpha():
        return name[:i] + name[i + 1] + name[i] + name[i + 2:]
    near = KEYBOARD_NEIGHBOURS.get(name[i].lower())
    return name[:i] + (rng.choice(near) if near else "") + name[i + 1:]


def lookalike(name: str, rng: random.Random) -> str:
    spots = [i for i, ch in enumerate(name) if ch in LOOKALIKE]
    i = rng.choice(spots)
    return name[:i] + LOOKALIKE[name[i]] + name[i + 1:]


def plain_cyrillic(name: str) -> str:
    return name.lower().translate(str.maketrans("ңөү", "ноу")).replace("-", " ")


def fold_name(name: str) -> str:
    return re.sub(r"[^а-яё]", "", name.lower().translate(str.maketrans("ңөүё", "ноуе")).replace("дж", "ж"))


def main() -> None:
    rng = random.Random(9)
    names = {row["soate"]: row for row in csv.DictReader(open(DATA / "kg_names_ky.csv", encoding="utf-8"))}
    registry = {row["soate"]: row for row in csv.DictReader(open(DATA / "kg_soate_2021_pre_reform.csv", encoding="utf-8"))}
    reference = {row["soate"]: row for row in csv.DictReader(open(DATA / "kg_adm1_adm2_reference.csv", encoding="utf-8"))}
    municipalities = {code: row for code, row in registry.items()
                      if row["kind_derived"] in ("aiyl_aimak", "city_republican", "city_oblast_significance",
                                                 "city_district_significance")}
    villages = {code: row for code, row in registry.items() if row["kind_derived"] == "village_or_settlement"}
    # who holds each folded name (own or village)
    holders = defaultdict(set)
    for code in municipalities:
        n = names.get(code)
        if n:
            holders[fold_name(n["name_ky"])].add(code)
            holders[fold_name(n["name_ru"])].add(code)
    for code, row in villages.items():
        n = names.get(code)
        if n and row["parent_soate"] in municipalities:
            holders[fold_name(n["name_ky"])].add(row["parent_soate"])
            holders[fold_name(n["name_ru"])].add(row["parent_soate"])

    def district_of(code: str) -> str | None:
        row = municipalities[code]
        parent = row["parent_soate"]
        return parent if parent in reference and reference[parent]["level"] == "2" else None

    def unique(name: str) -> bool:
        return len(holders[fold_name(name)]) <= 2

    rows: list[tuple[str, str, str, str]] = []
    candidates = sorted(c for c in municipalities if c in names)
    rng.shuffle(candidates)
    sample = [c for c in candidates if unique(names[c]["name_ky"])]

    # Latin transliterations, each scheme of its source language
    for i, code in enumerate(sample[:40]):
        n = names[code]
        scheme = list(SCHEMES)[i % len(SCHEMES)]
        source = n["name_ky"] if scheme.startswith("ky") else n["name_ru"]
        rows.append((translit(source, SCHEMES[scheme]), code, "latin", f"{scheme} of {source}"))
    # Cyrillic without Kyrgyz letters, hyphens or capitals
    for code in sample[40:65]:
        n = names[code]
        rows.append((plain_cyrillic(n["name_ky"]), code, "cyrillic_plain", n["name_ky"]))
    # one-letter typos
    for code in [c for c in sample[65:130] if len(names[c]["name_ky"]) >= 6][:30]:
        n = names[code]
        source = rng.choice([n["name_ky"], n["name_ru"]])
        rows.append((typo(source, rng), code, "typo", source))
    # kind words and districts
    forms_city = ["г. {ru}", "город {ru}", "{ky} шаары", "{ru} г."]
    forms_aimak = ["{ky} айыл окмоту", "{ky} айыл аймагы", "{ru} а/о", "{ky} айыл өкмөтү", "{ru} аймак",
                   "село {ru}", "{ky} айылы"]
    for code in sample[130:155]:
        n = names[code]
        city = municipalities[code]["kind_derived"] != "aiyl_aimak"
        form = rng.choice(forms_city if city else forms_aimak)
        rows.append((form.format(ru=n["name_ru"], ky=n["name_ky"]), code, "kind_word", form))
    # a shared name with its district (Kyrgyz or Russian form, before or after the place)
    shared = [c for c in candidates if not unique(names[c]["name_ky"]) and district_of(c)]
    for code in shared[:25]:
        n, d = names[code], reference[district_of(code)]
        ky_district = (d["name_ky_norm"] or d["name_ky_cod"]) + " району"
        form = rng.choice(["{dky} {ky}", "{ru}, {dru}", "{dru} {ru}", "{ky} {dky}"])
        rows.append((form.format(ky=n["name_ky"], ru=n["name_ru"], dky=ky_district, dru=d["name_ru_soate"]),
                     code, "district", form))
    # villages known by a unique name
    village_sample = sorted(c for c in villages if c in names and villages[c]["parent_soate"] in municipalities
                            and unique(names[c]["name_ky"]) and names[c]["name_ky"] != names.get(
                                villages[c]["parent_soate"], {}).get("name_ky"))
    rng.shuffle(village_sample)
    for code in village_sample[:20]:
        n = names[code]
        source = rng.choice([n["name_ky"], n["name_ru"], translit(n["name_ru"], BGN)])
        rows.append((source, villages[code]["parent_soate"], "village", f"village {n['name_ru']}"))
    # look-alike letters of the other script inside a word
    for code in [c for c in sample[155:185] if any(ch in LOOKALIKE for ch in names[c]["name_ky"])][:20]:
        n = names[code]
        rows.append((lookalike(n["name_ky"], rng), code, "lookalike", n["name_ky"]))

    hand = [
        ("Ош", "41721000000000", "city", "city of Osh first"),
        ("ош", "41721000000000", "city", "city of Osh first"),
        ("Osh", "41721000000000", "city", "city of Osh first"),
        ("Бишкек", "41711000000000", "city", ""),
        ("Bishkek", "41711000000000", "city", ""),
        ("Chong-Kemin", "41708213842000", "latin", "issue 9"),
        ("Tokmak", "41708400000010", "latin", "issue 9"),
        ("Tokmok", "41708400000010", "latin", ""),
        ("Barskaun", "41702210815000", "latin", "issue 9: old Russian name of Барскоон"),
        ("Daraut-Kurgan", "41706259851000", "latin", "issue 9: old Russian name of Дароот-Коргон"),
        ("Ananyevo", "41702215805000", "latin", "issue 9"),
        ("Semyonovka", "41702215825000", "latin", "issue 9"),
        ("Belovodskoye", "41708217813000", "latin", "issue 9"),
        ("Kok-Yangak", "41703220400010", "latin", "issue 9"),
        ("Ichke-Bulung", "41702210840000", "latin", "issue 9: village of Липенка aimak"),
        ("Karakol", "41702410000010", "latin", "the city before the aimak"),
        ("Cholpon-Ata", "41702215600010", "latin", ""),
        ("Balykchy", "41702420000010", "latin", ""),
        ("Jalal-Abad", "41703410000010", "latin", ""),
        ("Dzhalal-Abad", "41703410000010", "latin", ""),
        ("Uzgen", "41706255600010", "latin", ""),
        ("Özgön", "41706255600010", "latin", ""),
        ("Kara-Balta", "41708209600010", "latin", ""),
        ("Naryn", "41704400000010", "latin", ""),
        ("Talas", "41707400000010", "latin", ""),
        ("Batken", "41705410000010", "latin", ""),
        ("токмак", "41708400000010", "cyrillic_plain", "issue 9"),
        ("кочкор", "41704235816000", "cyrillic_plain", ""),
        ("балыкчи", "41702420000010", "typo", "issue 9"),
        ("Каракл", "41702410000010", "typo", "issue 9"),
        ("Барскон", "41702210815000", "typo", "issue 9"),
        ("Токтогл", "41703225600010", "typo", "issue 9: the city of Токтогул"),
        ("Сакулук", "41708222865000", "typo", "issue 9"),
        ("г. Каракол", "41702410000010", "kind_word", "issue 9"),
        ("село Ананьево", "41702215805000", "kind_word", "issue 9"),
        ("Чаек айыл окмоту", "41704230836000", "kind_word", "issue 9"),
        ("Кочкор району Көк-Жар", "41704235837000", "district", "issue 9"),
        ("Тонский район Ак-Сай", "41702220808000", "district", "issue 9: village Ак-Сай"),
        ("Aк-Суу", "41703211824000", "lookalike", "issue 9: Latin A; several Ак-Суу, one top-3"),
        ("Kочкорка", "41704235816000", "lookalike", "issue 9: Latin K"),
        ("Таш-Kумыр", "41703420000010", "lookalike", "issue 9: Latin K"),
        ("Кара-Balta", "41708209600010", "lookalike", "issue 9: half Latin"),
    ]
    rows.extend(hand)
    with open(OUT, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["query", "expected", "kind", "note"])
        writer.writerows(rows)
    print(f"{len(rows)} queries → {OUT}")


if __name__ == "__main__":
    main()

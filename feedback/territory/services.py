"""Building and updating the territorial registry from SOATE files (the write side)."""
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from ..datafiles import DataFileError, LoadReport, Problem, read_rows, upsert
from ..db import db
from .models import District, Municipality, Region, Village
from .names import kyrgyz_spelling, municipality_names
from .search import search_key

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "territory"
REGISTRY_COLUMNS = ("soate", "name_ru", "level", "kind_derived")
SOATE = re.compile(r"^417\d{11}$")
# SOATE kinds (column kind_derived of the registry file) and what we make of them.
REGION_KINDS = {"oblast": "oblast", "city_republican": "city_republican"}
DISTRICT_KINDS = {"raion": "raion", "city_oblast_significance": "city"}
CITY_KINDS = {"city_republican", "city_oblast_significance", "city_district_significance"}
# Not local self-government units, or not in scope: Bishkek's city districts, settlements and
# villages administered by cities, and a duplicate entry for Osh.
SKIPPED_KINDS = {"city_district_bishkek", "urban_type_settlement_pgt", "settlement_7xx",
                 "village_under_city", "odd_entry_osh_city_self"}
KNOWN_KINDS = set(REGION_KINDS) | set(DISTRICT_KINDS) | CITY_KINDS | SKIPPED_KINDS | {
    "aiyl_aimak", "village_or_settlement"}


@dataclass(frozen=True)
class RegistryFiles:
    registry: Path = DATA_DIR / "kg_soate_2021_pre_reform.csv"
    reference: Path = DATA_DIR / "kg_adm1_adm2_reference.csv"
    names_ky: Path = DATA_DIR / "kg_names_ky.csv"
    corrections: Path = DATA_DIR / "name_corrections.csv"


def _kyrgyz_unit_name(short_ky: str, suffix: str) -> str:
    # The reference file abbreviates "шаары" (city) as "ш."; spell it out.
    short_ky = re.sub(r"\s+ш\.$", "", short_ky)
    return f"{short_ky} {suffix}"


def _parse(files: RegistryFiles, problems: list[Problem]):
    registry: dict[str, tuple[int, dict]] = {}
    for line, row in read_rows(files.registry, REGISTRY_COLUMNS, problems, optional=("parent_soate", "oblast_soate")):
        code = row["soate"]
        if not SOATE.match(code):
            problems.append(Problem(str(files.registry), line, f"SOATE code {code!r} is not 14 digits starting 417"))
        elif row["level"] not in {"1", "2", "3", "4"}:
            problems.append(Problem(str(files.registry), line, f"level {row['level']!r} is not 1–4"))
        elif row["kind_derived"] not in KNOWN_KINDS:
            problems.append(Problem(str(files.registry), line, f"unknown kind {row['kind_derived']!r}"))
        elif code in registry:
            problems.append(Problem(str(files.registry), line, f"SOATE code {code} appears twice"))
        else:
            registry[code] = (line, row)
    for code, (line, row) in registry.items():
        parent = row["parent_soate"]
        if row["kind_derived"] in SKIPPED_KINDS or row["level"] == "1" or row["kind_derived"] in REGION_KINDS:
            continue
        if parent not in registry:
            problems.append(Problem(str(files.registry), line, f"parent {parent or '(none)'} of {code} is not in the file"))

    reference = {row["soate"]: row for _, row in read_rows(files.reference, ("soate",), problems, optional=("name_ky_norm",))}
    names = {row["soate"]: row for _, row in read_rows(
        files.names_ky, ("soate", "name_ru", "name_ky", "name_ky_full", "method", "confidence"), problems)}
    corrections = {}
    for line, row in read_rows(files.corrections, ("soate",), problems, optional=("name_ky", "name_ru")):
        if not (row.get("name_ky") or row.get("name_ru")):
            problems.append(Problem(str(files.corrections), line, "a correction needs name_ky or name_ru"))
        corrections[row["soate"]] = row
    return registry, reference, names, corrections


def _parse_mapping(path: Path, problems: list[Problem]) -> list[tuple[int, str, str, dt.date]]:
    mapping = []
    for line, row in read_rows(path, ("old_code", "new_code", "date"), problems):
        try:
            date = dt.date.fromisoformat(row["date"])
        except ValueError:
            problems.append(Problem(str(path), line, f"date {row['date']!r} is not YYYY-MM-DD"))
            continue
        if not (SOATE.match(row["old_code"]) and SOATE.match(row["new_code"])):
            problems.append(Problem(str(path), line, "codes must be 14-digit SOATE codes"))
            continue
        mapping.append((line, row["old_code"], row["new_code"], date))
    return mapping


def load_registry(files: RegistryFiles = RegistryFiles(), mapping: Path | None = None) -> LoadReport:
    """Create or update every region, district, municipality and village of the registry file.

    Idempotent. With ``mapping`` (old_code,new_code,date), the old municipalities are ended on that
    date with the new one as successor; nothing is deleted. Raises DataFileError, writing nothing,
    when any file has a problem. Adds and flushes; the caller commits.
    """
    problems: list[Problem] = []
    registry, reference, names, corrections = _parse(files, problems)
    links = _parse_mapping(mapping, problems) if mapping else []
    if links:
        known = {code for code, (_, row) in registry.items()
                 if row["kind_derived"] == "aiyl_aimak" or row["kind_derived"] in CITY_KINDS}
        known |= set(db.session.scalars(select(Municipality.code)))
        for line, old_code, new_code, _ in links:
            for code in (old_code, new_code):
                if code not in known:
                    problems.append(Problem(str(mapping), line, f"municipality {code} is in neither the registry nor the database"))
    if problems:
        raise DataFileError(problems)

    report = LoadReport()
    existing = {
        model: {obj.code: obj for obj in db.session.scalars(select(model))}
        for model in (Region, District, Municipality, Village)
    }
    rows = [row for _, row in registry.values()]

    def kind(row):
        return row["kind_derived"]

    def name_pair(code, name_ru, name_ky, derived, method):
        fix = corrections.get(code)
        if fix:
            return fix.get("name_ru") or name_ru, fix.get("name_ky") or name_ky, False, "correction"
        return name_ru, name_ky, derived, method

    def confidence(code, method, listed):
        """kg_names_ky.csv's confidence; a person's correction is sure; our own fallback rule is not."""
        if method == "correction":
            return "high"
        if listed and listed.get("confidence") in ("high", "medium", "low"):
            return listed["confidence"]
        return "low"

    for row in rows:
        if kind(row) not in REGION_KINDS:
            continue
        code, ref = row["soate"], reference.get(row["soate"], {})
        short_ky = ref.get("name_ky_norm") or kyrgyz_spelling(row["name_ru"])
        suffix = "облусу" if kind(row) == "oblast" else "шаары"
        name_ru = re.sub(r"^г\.\s*", "город ", row["name_ru"])
        name_ru, name_ky, _, _ = name_pair(code, name_ru, _kyrgyz_unit_name(short_ky, suffix), False, "")
        population = ref.get("population_2026_start_nsc")
        upsert(Region, {"code": code}, {
            "name_ru": name_ru, "name_ky": name_ky, "kind": REGION_KINDS[kind(row)],
            "iso_code": ref.get("iso_3166_2") or None,
            "population": int(population) if population else None,
            "search_key": search_key(name_ru, name_ky, short_ky),
        }, existing[Region], report, "regions")
    db.session.flush()

    def is_district(row):
        # Kok-Jangak is a city of district significance filed directly under its oblast.
        return kind(row) in DISTRICT_KINDS or (kind(row) == "city_district_significance" and row["level"] == "2")

    for row in rows:
        if not is_district(row):
            continue
        code, ref = row["soate"], reference.get(row["soate"], {})
        is_city = kind(row) != "raion"
        short_ru = re.sub(r"^г\.\s*", "", row["name_ru"])
        short_ky = ref.get("name_ky_norm") or kyrgyz_spelling(re.sub(r"ский район$", "", short_ru))
        name_ru = f"город {short_ru}" if is_city else row["name_ru"]
        name_ky = _kyrgyz_unit_name(short_ky, "шаары" if is_city else "району")
        name_ru, name_ky, _, _ = name_pair(code, name_ru, name_ky, False, "")
        upsert(District, {"code": code}, {
            "name_ru": name_ru, "name_ky": name_ky, "kind": "city" if is_city else "raion",
            "region_code": row["oblast_soate"] if row.get("oblast_soate") else row["parent_soate"],
            "search_key": search_key(name_ru, name_ky, short_ky),
        }, existing[District], report, "districts")
    db.session.flush()

    for row in rows:
        if kind(row) != "aiyl_aimak" and kind(row) not in CITY_KINDS:
            continue
        code = row["soate"]
        mkind = "city" if kind(row) in CITY_KINDS else "aiyl_aimak"
        name_ru, name_ky, short_ru, short_ky = municipality_names(row["name_ru"], mkind)
        derived, method = True, "rule:feedback"
        known = names.get(code)
        if known:
            name_ky, short_ru, short_ky = known["name_ky_full"], known["name_ru"], known["name_ky"]
            derived, method = known["confidence"] != "high", known["method"]
        name_ru, name_ky, derived, method = name_pair(code, name_ru, name_ky, derived, method)
        if method == "correction" and corrections[code].get("name_ky"):
            # The short name follows a corrected full name ("Зергер айыл аймагы" → "Зергер").
            short_ky = re.sub(r"\s+(?:айыл аймагы|шаары)$", "", name_ky)
        if kind(row) == "city_republican":
            region_code, district_code = code, None
        elif is_district(row):
            region_code, district_code = row["parent_soate"], code
        else:
            region_code, district_code = row["oblast_soate"] or registry[row["parent_soate"]][1]["parent_soate"], row["parent_soate"]
        upsert(Municipality, {"code": code}, {
            "name_ru": name_ru, "name_ky": name_ky, "short_name_ru": short_ru, "short_name_ky": short_ky,
            "kind": mkind, "region_code": region_code, "district_code": district_code,
            "name_ky_derived": derived, "name_ky_method": method[:200],
            "name_ky_confidence": confidence(code, method, known),
            "search_key": search_key(name_ru, name_ky, short_ru, short_ky),
        }, existing[Municipality], report, "municipalities")
    db.session.flush()

    for row in rows:
        if kind(row) != "village_or_settlement":
            continue
        code = row["soate"]
        known = names.get(code)
        if known:
            name_ky, derived, method = known["name_ky"], known["confidence"] != "high", known["method"]
        else:
            name_ky, derived, method = kyrgyz_spelling(row["name_ru"]), True, "rule:feedback"
        name_ru, name_ky, derived, method = name_pair(code, row["name_ru"], name_ky, derived, method)
        upsert(Village, {"code": code}, {
            "name_ru": name_ru, "name_ky": name_ky, "municipality_code": row["parent_soate"],
            "name_ky_derived": derived, "name_ky_method": method[:200],
            "name_ky_confidence": confidence(code, method, known),
            "search_key": search_key(name_ru, name_ky),
        }, existing[Village], report, "villages")
    db.session.flush()

    if links:
        _record_successions(links, report)
    return report


def _record_successions(links, report: LoadReport) -> None:
    municipalities = {m.code: m for m in db.session.scalars(select(Municipality))}
    for _, old_code, new_code, date in links:
        if old_code == new_code:
            continue  # the unit continues under its own code
        old, new = municipalities[old_code], municipalities[new_code]
        changed = (old.valid_to, old.successor_code) != (date, new_code)
        old.valid_to, old.successor_code = date, new_code
        if new.valid_from is None or new.valid_from > date:
            new.valid_from = date
        report.count("successions", "changed" if changed else "unchanged")
    db.session.flush()

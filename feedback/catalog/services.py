"""Loading the catalog from its data files (idempotent, validated: a bad file changes nothing)."""
import re
from pathlib import Path

from sqlalchemy import select

from ..datafiles import DataFileError, LoadReport, Problem, read_rows, upsert
from ..db import db
from .models import APPLIES_TO, Agency, Criterion, CriterionLevel, StateIndicator, Subject, TransparencyItem

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "catalog"
BILINGUAL = ("code", "name_ru", "name_ky")
SUBJECT_FILES = (
    ("local_issues.csv", "local_issue"),
    ("municipal_services.csv", "municipal_service"),
    ("delegated_powers.csv", "delegated_power"),
)
LEVELS = range(1, 6)
ANSWER_SCALE = re.compile(r"^[a-z/]+=(\d+|excluded)(\|[a-z/]+=(\d+|excluded))*$")


def _check(condition: bool, problems: list[Problem], path: Path, line: int, reason: str) -> bool:
    if not condition:
        problems.append(Problem(str(path), line, reason))
    return condition


def load_catalog(data_dir: Path = DATA_DIR) -> LoadReport:
    """Create or update agencies, subjects, criteria, indicators and the checklist. Caller commits."""
    problems: list[Problem] = []
    seen_codes: set[str] = set()

    def rows(filename: str, extra: tuple[str, ...]):
        path = data_dir / filename
        for position, (line, row) in enumerate(read_rows(path, BILINGUAL + extra, problems)):
            if _check(row["code"] not in seen_codes, problems, path, line, f"code {row['code']} appears twice"):
                seen_codes.add(row["code"])
                yield path, line, position, row

    agencies = [(p, ln, pos, r) for p, ln, pos, r in rows("agencies.csv", ("short_ru", "short_ky"))]
    agency_codes = {r["code"] for _, _, _, r in agencies}
    subjects = []
    for filename, kind in SUBJECT_FILES:
        extra = ("description_ru", "description_ky") + (("agency_code",) if kind == "delegated_power" else ("applies_to",))
        for path, line, position, row in rows(filename, extra):
            ok = True
            if kind == "delegated_power":
                ok = _check(row["agency_code"] in agency_codes, problems, path, line, f"unknown agency {row['agency_code']}")
            else:
                ok = _check(row["applies_to"] in APPLIES_TO, problems, path, line, f"applies_to {row['applies_to']!r} is not one of {', '.join(APPLIES_TO)}")
            if ok:
                subjects.append((kind, position, row))
    level_columns = tuple(f"level{n}_{lang}" for lang in ("ru", "ky") for n in LEVELS)
    criteria = [(pos, r) for path, line, pos, r in rows("criteria.csv", ("question_ru", "question_ky", "applies_to") + level_columns)
                if _check(r["applies_to"] in ("local_issue", "municipal_service", "both"), problems, path, line, "bad applies_to")]
    indicators = [(pos, r) for path, line, pos, r in rows("state_indicators.csv", ("description_ru", "description_ky", "scale", "counts_toward_lsg_score"))
                  if _check(r["scale"] in ("1-5", "yes/partial/no"), problems, path, line, f"scale {r['scale']!r} is not 1-5 or yes/partial/no")
                  and _check(r["counts_toward_lsg_score"] in ("yes", "no"), problems, path, line, "counts_toward_lsg_score must be yes or no")]
    checklist = [(pos, r) for path, line, pos, r in rows("budget_transparency.csv", ("area", "evidence_hint_ru", "evidence_hint_ky", "answer_scale", "weight"))
                 if _check(r["area"].isdigit() and r["weight"].isdigit(), problems, path, line, "area and weight must be whole numbers")
                 and _check(bool(ANSWER_SCALE.match(r["answer_scale"])), problems, path, line, f"answer_scale {r['answer_scale']!r} is malformed")]
    if problems:
        raise DataFileError(problems)

    report = LoadReport()

    def existing(model):
        return {obj.code: obj for obj in db.session.scalars(select(model))}

    known = existing(Agency)
    for _, _, _, r in agencies:
        upsert(Agency, {"code": r["code"]}, {k: r[k] for k in ("name_ru", "name_ky", "short_ru", "short_ky")}, known, report, "agencies")
    db.session.flush()
    known = existing(Subject)
    offsets = {kind: 100 * i for i, (_, kind) in enumerate(SUBJECT_FILES)}
    for kind, position, r in subjects:
        upsert(Subject, {"code": r["code"]}, {
            "kind": kind, "name_ru": r["name_ru"], "name_ky": r["name_ky"],
            "description_ru": r["description_ru"], "description_ky": r["description_ky"],
            "applies_to": r.get("applies_to") or "both", "agency_code": r.get("agency_code") or None,
            "legal_basis": r.get("legal_basis", ""), "confidence": r.get("confidence", ""),
            "position": offsets[kind] + position,
        }, known, report, "subjects")
    known = existing(Criterion)
    known_levels = {(lv.criterion_code, lv.level): lv for lv in db.session.scalars(select(CriterionLevel))}
    for position, r in criteria:
        upsert(Criterion, {"code": r["code"]}, {
            "name_ru": r["name_ru"], "name_ky": r["name_ky"], "question_ru": r["question_ru"],
            "question_ky": r["question_ky"], "applies_to": r["applies_to"], "position": position,
        }, known, report, "criteria")
        db.session.flush()
        for n in LEVELS:
            upsert(CriterionLevel, {"criterion_code": r["code"], "level": n}, {
                "description_ru": r[f"level{n}_ru"], "description_ky": r[f"level{n}_ky"],
            }, known_levels, report, "criterion levels")
    known = existing(StateIndicator)
    for position, r in indicators:
        upsert(StateIndicator, {"code": r["code"]}, {
            "name_ru": r["name_ru"], "name_ky": r["name_ky"], "description_ru": r["description_ru"],
            "description_ky": r["description_ky"], "scale": r["scale"],
            "counts_toward_lsg_score": r["counts_toward_lsg_score"] == "yes", "position": position,
        }, known, report, "state indicators")
    known = existing(TransparencyItem)
    for position, r in checklist:
        upsert(TransparencyItem, {"code": r["code"]}, {
            "name_ru": r["name_ru"], "name_ky": r["name_ky"], "area": int(r["area"]),
            "evidence_hint_ru": r["evidence_hint_ru"], "evidence_hint_ky": r["evidence_hint_ky"],
            "answer_scale": r["answer_scale"], "weight": int(r["weight"]), "position": position,
        }, known, report, "transparency checklist")
    db.session.flush()
    return report

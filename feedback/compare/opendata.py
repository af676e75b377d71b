"""The open-data dump of one period: a ZIP of CSV files, a data dictionary in Kyrgyz and Russian and
a licence statement (``flask opendata dump``; downloadable from /<lang>/open-data).

Anonymisation of the ratings:
- no respondent identifiers, no address or phone hashes, no client ids, no timestamps (the period
  only), no moderators; a comment's text only when a moderator approved it;
- k-anonymity (k = 5) over the quasi-identifiers municipality × sex × age band × village: every
  combination that appears in the file is shared by at least ``K`` different people (respondents).
  A combination below k is coarsened one step at a time — village first (to the municipality),
  then age band, then sex — and, when even the municipality alone has fewer than k people, its
  rows are suppressed (counted in README.txt). Coarsening only merges groups, so the loop ends.

Other packages add their own tables (answers, transparency assessments) by offering
``feedback.<package>.opendata.tables(period) -> [(file name, [column], [row dict])]``.
"""
import csv
import datetime as dt
import importlib
import io
import zipfile
from collections import defaultdict
from pathlib import Path

from sqlalchemy import select

from ..catalog.models import Criterion
from ..db import db
from ..evaluation.models import IndicatorScore, StateEvaluation
from ..ratings.models import CriterionScore, Rating
from ..scorecards import methodology as mth
from . import queries

K = 5
QUASI = ("municipality_code", "sex", "age_band", "village_code")
COARSEN_ORDER = ("village_code", "age_band", "sex")  # most specific first
LICENCE = """Creative Commons Attribution 4.0 International (CC BY 4.0)
https://creativecommons.org/licenses/by/4.0/

You may share and adapt these data for any purpose, provided you credit the source
("Local Voice — citizen feedback for local self-government in Kyrgyzstan") and indicate changes.

Ачык маалыматтар Creative Commons Attribution 4.0 (CC BY 4.0) лицензиясы боюнча: булагын көрсөтүү шарты менен
каалаган максатта колдонууга жана өзгөртүүгө болот.
Открытые данные по лицензии Creative Commons Attribution 4.0 (CC BY 4.0): можно использовать и изменять
для любых целей при условии ссылки на источник.
"""
EXTENSIONS = ("answers", "transparency")


def kanonymise(records: list[dict], k: int = K) -> tuple[list[dict], dict]:
    """Coarsen or suppress ``records`` (dicts with QUASI keys and "person") so that every released
    combination of the quasi-identifiers covers at least k people. Returns (released, counts).

    Level by level: first the villages of combinations below k are blanked; then, among records
    without a village, the age bands of combinations below k; then, among those, the sex; last,
    municipalities with fewer than k people are suppressed. A step only touches combinations whose
    more specific fields are already blank, so a combination kept at one step is never changed later
    and each step only merges records into coarser, larger groups."""
    stats = {"coarsened": defaultdict(int), "suppressed": 0}
    for i, field in enumerate(COARSEN_ORDER):
        finer = COARSEN_ORDER[:i]  # fields already blank in the combinations this step may touch
        people: dict[tuple, set] = defaultdict(set)
        for r in records:
            people[tuple(r[q] for q in QUASI)].add(r["person"])
        for r in records:
            if r[field] is not None and all(r[f] is None for f in finer) \
                    and len(people[tuple(r[q] for q in QUASI)]) < k:
                r[field] = None
                stats["coarsened"][field] += 1
    people = defaultdict(set)
    for r in records:
        people[tuple(r[q] for q in QUASI)].add(r["person"])
    released = [r for r in records if len(people[tuple(r[q] for q in QUASI)]) >= k]
    stats["suppressed"] = len(records) - len(released)
    return released, stats


def rating_rows(period: int) -> tuple[list[str], list[dict], dict]:
    criteria = list(db.session.scalars(select(Criterion.code).order_by(Criterion.position)))
    scores: dict[int, dict[str, int | None]] = defaultdict(dict)
    stmt = (select(CriterionScore.rating_id, CriterionScore.criterion_code, CriterionScore.score)
            .join(Rating, Rating.id == CriterionScore.rating_id).where(Rating.period == period))
    for rating_id, code, score in db.session.execute(stmt):
        scores[rating_id][code] = score
    records = []
    stmt = (select(Rating.id, Rating.respondent_id, Rating.municipality_code, Rating.subject_code, Rating.overall,
                   Rating.sex, Rating.age_band, Rating.village_code, Rating.status, Rating.verified, Rating.source,
                   Rating.comment, Rating.comment_status)
            .where(Rating.period == period).order_by(Rating.municipality_code, Rating.subject_code, Rating.id))
    for (rating_id, person, municipality, subject, overall, sex, age, village, status, verified, source, comment,
         comment_status) in db.session.execute(stmt):
        record = {"person": person, "municipality_code": municipality, "sex": sex, "age_band": age,
                  "village_code": village, "subject_code": subject, "period": period, "overall": overall,
                  "status": status, "verified": int(bool(verified)), "source": source,
                  "comment": comment if comment and comment_status == "approved" else None}
        for code in criteria:
            value = scores.get(rating_id, {}).get(code, "")
            record[f"criterion_{code}"] = "dont_know" if value is None else value
        records.append(record)
    released, stats = kanonymise(records)
    columns = ["municipality_code", "subject_code", "period", "overall", *(f"criterion_{c}" for c in criteria),
               "sex", "age_band", "village_code", "status", "verified", "source", "comment"]
    return columns, released, {"ratings": len(records), "released": len(released), **stats}


def evaluation_rows(period: int) -> tuple[list[str], list[dict]]:
    stmt = (select(StateEvaluation.municipality_code, StateEvaluation.subject_code, StateEvaluation.agency_code,
                   StateEvaluation.finalised_at, IndicatorScore.indicator_code, IndicatorScore.score,
                   IndicatorScore.answer)
            .join(IndicatorScore, IndicatorScore.evaluation_id == StateEvaluation.id)
            .where(StateEvaluation.period == period, StateEvaluation.status == "final")
            .order_by(StateEvaluation.municipality_code, StateEvaluation.subject_code, IndicatorScore.indicator_code))
    columns = ["municipality_code", "power_code", "agency_code", "period", "finalised_on", "indicator_code", "score",
               "answer"]
    rows = [{"municipality_code": m, "power_code": p, "agency_code": a, "period": period,
             "finalised_on": f.date().isoformat() if f else None, "indicator_code": i, "score": s, "answer": ans}
            for m, p, a, f, i, s, ans in db.session.execute(stmt)]
    return columns, rows


def scorecard_columns() -> list[str]:
    out = ["code", "name_ky", "name_ru", "kind", "region_code", "district_code"]
    for t in ("citizen", "state", "composite"):
        out += [f"{t}_n", f"{t}_index", f"{t}_low", f"{t}_high"]
    return out


def _csv(columns: list[str], rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if row.get(c) is None else (round(row[c], 1) if isinstance(row[c], float) else row[c])
                         for c in columns])
    return out.getvalue().encode("utf-8")


DICTIONARY = {  # file → (description ky, description ru, {column: (ky, ru)})
    "ratings.csv": (
        "Тургундардын баалары, жашыруун түрдө: ар бир сап — бир баа. Жеке маалымат жок; ар бир муниципалитет × жынысы × "
        "курагы × айылы айкалышы кеминде 5 адамга таандык (азыраак болсо, айыл, андан кийин курак, андан кийин жынысы "
        "бош калат же саптар чыгарылбайт).",
        "Оценки жителей, обезличенные: одна строка — одна оценка. Никаких персональных данных; каждое сочетание "
        "муниципалитет × пол × возраст × село относится не менее чем к 5 людям (иначе село, затем возраст, затем пол "
        "оставлены пустыми, либо строки не выгружены).",
        {"municipality_code": ("Муниципалитеттин СОАТЕ коду", "Код СОАТЕ муниципалитета"),
         "subject_code": ("Бааланган маселенин же кызматтын коду (catalog)", "Код оценённого вопроса или услуги (каталог)"),
         "period": ("Жыл", "Год"),
         "overall": ("Жалпы баа, 1–5", "Общая оценка, 1–5"),
         "criterion_*": ("Критерий боюнча баа 1–5; dont_know — «билбейм»; бош — суралган эмес",
                         "Оценка по критерию 1–5; dont_know — «не знаю»; пусто — не задавался"),
         "sex": ("Жынысы (female/male) же бош", "Пол (female/male) или пусто"),
         "age_band": ("Курак тобу же бош", "Возрастная группа или пусто"),
         "village_code": ("Айылдын СОАТЕ коду же бош", "Код СОАТЕ села или пусто"),
         "status": ("accepted — эсепке алынган; quarantined — карантинде (эсепке алынбайт)",
                    "accepted — учтена; quarantined — на карантине (не учитывается)"),
         "verified": ("1 — телефон номери текшерилген", "1 — номер телефона подтверждён"),
         "source": ("Кайдан келди: web, api, sms…", "Откуда пришла: web, api, sms…"),
         "comment": ("Модератор жактырган пикир гана; калгандары бош", "Только одобренный модератором комментарий; иначе пусто")}),
    "scorecards.csv": (
        "Ар бир муниципалитеттин баалоо барагы: тургундардын баасы, мамлекеттин баалоосу, жыйынды индекс (0–100), "
        "n жана аралыгы.",
        "Оценочная карта каждого муниципалитета: оценка жителей, оценка государства, сводный индекс (0–100), n и интервал.",
        {"code": ("СОАТЕ коду", "Код СОАТЕ"), "kind": ("aiyl_aimak же city", "aiyl_aimak или city"),
         "*_n": ("Кабыл алынган баалар (тургундар) же бааланган муниципалитеттер", "Принятые оценки (жители) или оценённые муниципалитеты"),
         "*_index": ("Индекс 0–100; бош — жарыяланбайт (баалар жетишсиз же бааланган эмес)",
                     "Индекс 0–100; пусто — не публикуется (недостаточно оценок или не оценивалось)"),
         "*_low, *_high": ("Ишеним аралыгынын чектери", "Границы доверительного интервала")}),
    "state_evaluations.csv": (
        "Өткөрүлүп берилген ыйгарым укуктарды мамлекеттин акыркы баалоолору: ар бир сап — бир көрсөткүч.",
        "Окончательные оценки государством делегированных полномочий: одна строка — один показатель.",
        {"power_code": ("Ыйгарым укуктун коду", "Код полномочия"), "agency_code": ("Мекеменин коду", "Код ведомства"),
         "indicator_code": ("Көрсөткүчтүн коду; SI-FUNDING жана SI-METHOD мамлекеттин өзүнө берилген баа",
                            "Код показателя; SI-FUNDING и SI-METHOD — оценка самого государства"),
         "score": ("Баа 1–5", "Оценка 1–5"), "answer": ("yes / partial / no", "yes / partial / no")}),
}


def dictionary(lang: str, files: list[str], stats: dict, period: int, version: int) -> str:
    i = 0 if lang == "ky" else 1
    title = ("Ачык маалыматтар: маалымат сөздүгү" if lang == "ky" else "Открытые данные: словарь данных")
    lines = [f"# {title} — {period}", "",
             (f"Методиканын версиясы: {version}. Индекстер 0–100: (m − 1) / 4 × 100." if lang == "ky"
              else f"Версия методики: {version}. Индексы 0–100: (m − 1) / 4 × 100."), ""]
    for name in files:
        entry = DICTIONARY.get(name) or extension_dictionary().get(name)
        lines += [f"## {name}", ""]
        if entry:
            lines += [entry[i], ""]
            lines += [f"- `{col}`: {texts[i]}" for col, texts in entry[2].items()]
        lines.append("")
    lines += [("Жашыруундаштыруу: " if lang == "ky" else "Обезличивание: ")
              + f"k = {K}; {stats['ratings']} → {stats['released']}; "
              + ", ".join(f"{k}: {v}" for k, v in sorted(stats["coarsened"].items())) + f"; suppressed: {stats['suppressed']}",
              ""]
    return "\n".join(lines)


def extension_dictionary() -> dict:
    """The extensions' own entries of the data dictionary (a module-level ``DICTIONARY``, optional)."""
    entries = {}
    for name in EXTENSIONS:
        try:
            module = importlib.import_module(f"feedback.{name}.opendata")
        except ImportError:
            continue
        entries.update(getattr(module, "DICTIONARY", {}))
    return entries


def extension_tables(period: int) -> list[tuple[str, list[str], list[dict]]]:
    tables = []
    for name in EXTENSIONS:
        try:
            module = importlib.import_module(f"feedback.{name}.opendata")
        except ImportError:
            continue
        tables.extend(module.tables(period))
    return tables


def dump(period: int, folder: Path, progress=None) -> tuple[Path, dict]:
    """Write feedback-opendata-<period>.zip into ``folder``; returns its path and the anonymisation
    counts. ``progress(step_name)`` is called after each step (the CLI's progress bar)."""
    def step(name):
        if progress:
            progress(name)

    params = mth.get()
    files: dict[str, bytes] = {}
    columns, rows, stats = rating_rows(period)
    files["ratings.csv"] = _csv(columns, rows)
    step("ratings")
    files["scorecards.csv"] = _csv(scorecard_columns(), queries.scorecard_rows(period, params))
    step("scorecards")
    columns, rows = evaluation_rows(period)
    files["state_evaluations.csv"] = _csv(columns, rows)
    step("state_evaluations")
    for name, columns, rows in extension_tables(period):
        files[name] = _csv(columns, rows)
    step("extensions")
    names = list(files)
    files["dictionary_ky.md"] = dictionary("ky", names, stats, period, params.version).encode("utf-8")
    files["dictionary_ru.md"] = dictionary("ru", names, stats, period, params.version).encode("utf-8")
    files["LICENSE.txt"] = LICENCE.encode("utf-8")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"feedback-opendata-{period}.zip"
    partial = path.with_suffix(".zip.part")
    stamp = dt.datetime.now(dt.UTC).timetuple()[:6]
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in files.items():
            archive.writestr(zipfile.ZipInfo(name, stamp), body, zipfile.ZIP_DEFLATED)
    partial.replace(path)  # a download never sees a half-written file
    step("written")
    return path, stats


STEPS = 5

"""Budget transparency in the open-data dump (compare/opendata.py asks ``tables(period)``): residents'
budget priorities per municipality and local issue (the exports' table: shares only from the minimum
sample on), and the index and area scores of every final transparency assessment of the period."""
from sqlalchemy import select

from ..scorecards import methodology as mth
from ..territory.models import Municipality
from . import exports, scoring
from .models import TransparencyAssessment
from .services import items, scoring_items

DICTIONARY = {  # file → (description ky, description ru, {column: (ky, ru)})
    "budget_priorities.csv": (
        "Тургундардын бюджеттик артыкчылыктары: ар бир сап — муниципалитет × жергиликтүү маселе. Үлүштөр пайыз менен, "
        "Уилсондун аралыгы менен; эң аз тандоодон азыраак болсо, сандар гана берилет.",
        "Бюджетные приоритеты жителей: одна строка — муниципалитет × местный вопрос. Доли в процентах, с интервалом "
        "Уилсона; ниже минимальной выборки даются только числа ответов.",
        {"n": ("Артыкчылыктарын атаган тургундар (кабыл алынган)", "Жители, назвавшие приоритеты (принятые ответы)"),
         "n_quarantined": ("Карантиндеги жооптор (эсепке алынбайт)", "Ответы на карантине (не учитываются)"),
         "issue_code": ("Жергиликтүү маселенин коду (catalog)", "Код местного вопроса (каталог)"),
         "share_pct, first_share_pct": ("Үчөөнүн ичинде атагандардын жана биринчи койгондордун үлүшү, %",
                                        "Доля назвавших среди трёх и поставивших первым, %"),
         "*_low_pct, *_high_pct": ("Уилсондун аралыгынын чектери, %", "Границы интервала Уилсона, %"),
         "reason": ("not_enough_ratings — жооптор жетишсиз", "not_enough_ratings — недостаточно ответов")}),
    "budget_transparency.csv": (
        "Бюджеттин ачыктыгынын индекси (0–100): мониторчунун акыркы баалоосу, ар бир тармактын баасы.",
        "Индекс прозрачности бюджета (0–100): окончательная оценка монитора, оценка каждой области.",
        {"index": ("Индекс 0–100 (тармактардын орточосу)", "Индекс 0–100 (среднее областей)"),
         "area_*": ("Тармактын баасы 0–100; бош — колдонулбайт", "Оценка области 0–100; пусто — неприменимо")}),
}


def tables(period: int) -> list[tuple[str, list[str], list[dict]]]:
    params = mth.get()
    municipalities = list(_all_municipalities())
    priorities = exports.rows(municipalities, period, params.min_sample, params.z, with_empty=False)
    return [("budget_priorities.csv", exports.KEYS, priorities),
            ("budget_transparency.csv", *transparency_rows(period, municipalities))]


def _all_municipalities():
    from ..db import db

    return db.session.scalars(select(Municipality).order_by(Municipality.region_code, Municipality.code))


def transparency_rows(period: int, municipalities: list[Municipality]) -> tuple[list[str], list[dict]]:
    from ..db import db

    catalog = scoring_items(items())
    areas = sorted({i.area for i in catalog})
    names = {m.code: m for m in municipalities}
    rows = []
    for a in db.session.scalars(select(TransparencyAssessment).where(
            TransparencyAssessment.period == period, TransparencyAssessment.status == "final")
            .order_by(TransparencyAssessment.municipality_code)):
        result = scoring.score(catalog, {x.item_code: x.answer for x in a.answers})
        m = names.get(a.municipality_code)
        rows.append({"municipality_code": a.municipality_code, "name_ky": m.name_ky if m else None,
                     "name_ru": m.name_ru if m else None, "period": period, "index": result.index,
                     **{f"area_{area}": result.areas.get(area) for area in areas}})
    return ["municipality_code", "name_ky", "name_ru", "period", "index", *(f"area_{a}" for a in areas)], rows

"""The SVG map, drawn on the server from the boundaries in feedback/data/compare/map.json (made once
by compare/build_map.py). No map library and no script: each area is an SVG link with a <title>;
colours are SVG presentation attributes (the CSP forbids inline styles, not attributes).

Scale: six steps of cividis (a sequential palette readable with every common colour-vision
deficiency and in greyscale) on FIXED breaks (``BREAKS``: below 40, 40–45, …, 60 and more), the same
for every year, period and index: one value has one colour on every map, so two years' maps can be
compared by eye (a scale fitted to each year's values would recolour an unchanged area). The breaks
sit where the indices of regions and districts mostly fall; the legend states them. Areas without a
published value are hatched, not coloured.
"""
import json
from functools import lru_cache
from pathlib import Path

from flask import url_for
from flask_babel import format_decimal

from ..scorecards.methodology import rounded
from . import labels

DATA = Path(__file__).resolve().parent.parent / "data" / "compare" / "map.json"
# cividis, six steps from dark blue to yellow
PALETTE = ("#00224e", "#35456c", "#666970", "#948e77", "#c8b866", "#fee838")


@lru_cache(maxsize=1)
def shapes() -> dict:
    return json.loads(DATA.read_text(encoding="utf-8"))


BREAKS = (40, 45, 50, 55, 60)  # upper bounds (exclusive) of all steps but the last, which is open-ended


def bounds(values=()) -> tuple[int, ...]:
    """The breaks of the scale: fixed, whatever the values shown (they are accepted and ignored so
    that no caller can fit the scale to one year's data)."""
    return BREAKS


def step(index: float | None, edges: tuple[int, ...]) -> int | None:
    if index is None:
        return None
    for i, bound in enumerate(edges):
        if index < bound:
            return i
    return len(edges)


def legend(edges: tuple[int, ...]) -> list[tuple[str, str]]:
    """(colour, range) per step; the first and last steps are open-ended."""
    labels_ = [f"< {edges[0]}", *(f"{edges[i]}–{edges[i + 1]}" for i in range(len(edges) - 1)), f"≥ {edges[-1]}"]
    return list(zip(PALETTE, labels_, strict=True))


def _num(x: float) -> str:
    return format_decimal(rounded(x, 1), "0.0")


def draw(level: str, rows, lang: str, index_key: str, period: int) -> dict:
    data = shapes()
    layer = data["regions" if level == "region" else "districts"]
    by_code = {row.code: row for row in rows}
    edges = bounds()
    areas = []
    for code, path in sorted(layer.items()):
        row = by_code.get(code)
        value = row.index if row else None
        s = step(value, edges)
        name = row.name(lang) if row else code
        if value is None:
            reason = row.reason if row is not None and row.reason == "not_assessed" else "not_enough_ratings"
            title = f"{name}: {labels.REASONS[reason]}"
        else:
            title = f"{name}: {_num(value)}"
            if row.interval:
                title += f" [{_num(row.interval[0])}–{_num(row.interval[1])}]"
        if level == "region":
            href = url_for("compare.index", level="district", within=code, index=index_key, period=period)
        else:
            href = url_for("compare.index", level="municipality", within=code, index=index_key, period=period)
        areas.append({"code": code, "d": path, "fill": "url(#hatch)" if s is None else PALETTE[s],
                      "hatched": s is None, "title": title, "href": href})
    outline = "".join(data["regions"].values()) if level == "district" else ""
    return {"viewBox": data["viewBox"], "areas": areas, "outline": outline, "legend": legend(edges)}

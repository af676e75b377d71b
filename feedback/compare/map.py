"""The SVG map, drawn on the server from the boundaries in feedback/data/compare/map.json (made once
by compare/build_map.py). No map library and no script: each area is an SVG link with a <title>;
colours are SVG presentation attributes (the CSP forbids inline styles, not attributes).

Scale: six steps of cividis (a sequential palette readable with every common colour-vision
deficiency and in greyscale), fixed 10-point bins so that maps of different periods compare; areas
without a published value are hatched, not coloured.
"""
import json
from functools import lru_cache
from pathlib import Path

from flask import url_for

from . import labels

DATA = Path(__file__).resolve().parent.parent / "data" / "compare" / "map.json"
# cividis, six steps from dark blue to yellow
PALETTE = ("#00224e", "#35456c", "#666970", "#948e77", "#c8b866", "#fee838")
BOUNDS = (30, 40, 50, 60, 70)  # upper bounds (exclusive) of all but the last step


@lru_cache(maxsize=1)
def shapes() -> dict:
    return json.loads(DATA.read_text(encoding="utf-8"))


def step(index: float | None) -> int | None:
    if index is None:
        return None
    for i, bound in enumerate(BOUNDS):
        if index < bound:
            return i
    return len(BOUNDS)


def legend() -> list[tuple[str, str]]:
    """(colour, range) per step."""
    edges = ["0", *map(str, BOUNDS), "100"]
    return [(colour, f"{edges[i]}–{edges[i + 1]}") for i, colour in enumerate(PALETTE)]


def draw(level: str, rows, lang: str, index_key: str, period: int) -> dict:
    data = shapes()
    layer = data["regions" if level == "region" else "districts"]
    by_code = {row.code: row for row in rows}
    areas = []
    for code, path in sorted(layer.items()):
        row = by_code.get(code)
        value = row.index if row else None
        s = step(value)
        name = row.name(lang) if row else code
        if value is None:
            title = f"{name}: {labels.REASONS['not_enough_ratings' if row is None or row.reason != 'not_assessed' else 'not_assessed']}"
        else:
            title = f"{name}: {value:.1f}".replace(".", "," if lang == "ru" else ".")
            if row.interval:
                title += f" [{row.interval[0]:.1f}–{row.interval[1]:.1f}]"
        if level == "region":
            href = url_for("compare.index", level="district", within=code, index=index_key, period=period)
        else:
            href = url_for("compare.index", level="municipality", within=code, index=index_key, period=period)
        areas.append({"code": code, "d": path, "fill": "url(#hatch)" if s is None else PALETTE[s],
                      "hatched": s is None, "title": title, "href": href})
    outline = "".join(data["regions"].values()) if level == "district" else ""
    return {"viewBox": data["viewBox"], "areas": areas, "outline": outline}

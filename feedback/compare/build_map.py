"""Project and simplify the region and district boundaries ONCE into package data.

    python -m feedback.compare.build_map ../shared/data/kg feedback/data/compare/map.json

The app never reads ../shared at run time; it reads the small JSON this writes: an SVG viewBox and,
per SOATE code, a path ``d`` in integer SVG units. Projection: equirectangular with the x axis
shrunk by cos(41.2°) (Kyrgyzstan spans 39–43.3° N, so the distortion across it is under 4 %), which
keeps shapes recognisable without a projection library. Simplification: Douglas–Peucker at
``TOLERANCE`` SVG units (a 1000-unit-wide map drawn at most ~1000 px wide loses nothing visible).
"""
import json
import math
import sys
from pathlib import Path

WIDTH = 1000
TOLERANCE = 0.8
LAT0 = math.radians(41.2)
SOURCES = {"regions": "kgz_adm1_oblasts_cities_cod2018_simplified.geojson",
           "districts": "kgz_adm2_raions_cities_cod2018_simplified.geojson"}


def _rings(geometry):
    polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    for polygon in polygons:
        yield from polygon


def _perpendicular(p, a, b):
    (x, y), (x1, y1), (x2, y2) = p, a, b
    dx, dy = x2 - x1, y2 - y1
    if dx == dy == 0:
        return math.hypot(x - x1, y - y1)
    return abs(dy * x - dx * y + x2 * y1 - y2 * x1) / math.hypot(dx, dy)


def simplify(points, tolerance):
    """Douglas–Peucker, iterative (rings of thousands of points would exceed the recursion limit)."""
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        best, index = 0.0, None
        for i in range(first + 1, last):
            d = _perpendicular(points[i], points[first], points[last])
            if d > best:
                best, index = d, i
        if index is not None and best > tolerance:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [p for p, k in zip(points, keep, strict=True) if k]


def build(source: Path) -> dict:
    layers = {name: json.loads((source / file).read_text(encoding="utf-8"))["features"] for name, file in SOURCES.items()}
    coords = [c for f in layers["regions"] for ring in _rings(f["geometry"]) for c in ring]
    lon_min, lon_max = min(c[0] for c in coords), max(c[0] for c in coords)
    lat_min, lat_max = min(c[1] for c in coords), max(c[1] for c in coords)
    scale = WIDTH / ((lon_max - lon_min) * math.cos(LAT0))
    height = math.ceil((lat_max - lat_min) * scale)

    def project(c):
        return ((c[0] - lon_min) * math.cos(LAT0) * scale, (lat_max - c[1]) * scale)

    out = {"viewBox": f"0 0 {WIDTH} {height}", "regions": {}, "districts": {}, "labels": {}}
    for name, features in layers.items():
        for feature in features:
            parts = []
            for ring in _rings(feature["geometry"]):
                points = simplify([project(c) for c in ring], TOLERANCE)
                points = [(round(x), round(y)) for x, y in points]
                points = [p for i, p in enumerate(points) if i == 0 or p != points[i - 1]]
                if len(points) < 4:
                    continue
                parts.append("M" + "L".join(f"{x} {y}" for x, y in points[:-1]) + "Z")
            code = feature["properties"]["soate"]
            out[name][code] = "".join(parts)
            if name == "regions":
                xs = [project(c) for ring in _rings(feature["geometry"]) for c in ring]
                out["labels"][code] = [round(sum(p[0] for p in xs) / len(xs)), round(sum(p[1] for p in xs) / len(xs))]
    return out


if __name__ == "__main__":
    source, target = Path(sys.argv[1]), Path(sys.argv[2])
    target.write_text(json.dumps(build(source), ensure_ascii=False, separators=(",", ":"), sort_keys=True) + "\n",
                      encoding="utf-8")
    print(target, target.stat().st_size, "bytes")

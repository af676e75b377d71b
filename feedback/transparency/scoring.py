"""The municipal budget transparency index: plain arithmetic, no Flask, no database.

The catalog's methodology (data/catalog/README.md, section 7):
- each item is answered yes = 100, partial = 50 or no = 0;
- "not applicable" is allowed only where the item's ``answer_scale`` lists ``n/a`` (the audit item,
  when no audit took place); such an item is left out and the other weights of its area are
  renormalised. An area whose items are all not applicable has no score and is left out of the
  mean (with the three catalog areas this cannot happen: only one item allows n/a);
- area score = Σ(weightᵢ × scoreᵢ) / Σ(weightᵢ) over the applicable items;
- index = the unweighted mean of the area scores (the areas count equally), 0–100.

An assessment with an unanswered item has no index (``reason = "incomplete"``): a missing answer is
never read as 0, and never silently dropped either.
"""
from dataclasses import dataclass, field

POINTS = {"yes": 100.0, "partial": 50.0, "no": 0.0}
NOT_APPLICABLE = "na"


@dataclass(frozen=True)
class Item:
    code: str
    area: int
    weight: int
    allows_na: bool = False


@dataclass
class Result:
    index: float | None
    areas: dict[int, float | None] = field(default_factory=dict)
    reason: str | None = None
    missing: list[str] = field(default_factory=list)


def allows_na(answer_scale: str) -> bool:
    """Whether a catalog ``answer_scale`` such as ``yes=100|partial=50|no=0|n/a=excluded`` lists n/a."""
    return any(part.split("=", 1)[0].strip().lower() == "n/a" for part in (answer_scale or "").split("|"))


def allowed_answers(item: Item) -> tuple[str, ...]:
    return ("yes", "partial", "no", NOT_APPLICABLE) if item.allows_na else ("yes", "partial", "no")


def score(items: list[Item], answers: dict[str, str | None]) -> Result:
    """The index of one assessment: ``answers`` maps item code → yes/partial/no/na (or None)."""
    missing = [i.code for i in items if answers.get(i.code) not in allowed_answers(i)]
    if not items:
        return Result(None, reason="no_items")
    if missing:
        return Result(None, reason="incomplete", missing=missing)
    sums: dict[int, list[float]] = {}
    for item in items:
        totals = sums.setdefault(item.area, [0.0, 0.0])
        answer = answers[item.code]
        if answer == NOT_APPLICABLE:
            continue
        totals[0] += item.weight * POINTS[answer]
        totals[1] += item.weight
    areas = {area: (total / weight if weight else None) for area, (total, weight) in sorted(sums.items())}
    scored = [value for value in areas.values() if value is not None]
    if not scored:
        return Result(None, areas=areas, reason="not_applicable")
    return Result(sum(scored) / len(scored), areas=areas)


def wilson(k: int, n: int, z: float) -> tuple[float, float] | None:
    """Wilson score interval of a share k/n (0–1), or None when n is 0. Used for the shares of
    residents' budget priorities: unlike the plain normal interval it stays within 0–1 and behaves
    for shares near 0 or 1 and for small n."""
    if n <= 0:
        return None
    p = k / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * ((p * (1 - p) / n + z * z / (4 * n * n)) ** 0.5) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)

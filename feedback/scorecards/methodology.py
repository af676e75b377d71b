"""The scoring methodology: versioned parameters and the arithmetic they drive.

Every published version is a ``Methodology`` row whose ``parameters`` are JSON; version 1 is
``DEFAULT_PARAMETERS`` below (stored on its first publication — until then scorecards name it all
the same). A scorecard always names the version it was computed with and can be recomputed under
another (``?methodology=N``). The public methodology page explains each constant; keep the two in
step.

Choices and why (see templates/scorecards/methodology.html for the public wording):

- Index: a 1–5 mean m maps to (m − 1) / 4 × 100 (PRODUCT.md).
- Interval: Student-t interval on the 1–5 mean with the sample variance (floored, see
  ``variance_floor``), mapped to the index scale and clipped to 0–100. Ratings are bounded,
  discrete and usually skewed; with n ≥ 10 the mean is close enough to normal that this interval
  keeps its nominal 90 % coverage within a few points (tests/scorecards/test_coverage.py simulates
  it), it is cheap to compute from count, sum and sum of squares (which the aggregates keep), and
  it is easy to explain. Wilson needs a binary outcome; a bootstrap needs the raw ratings.
  The floor stops a small sample of identical answers from claiming zero uncertainty.
- Shrinkage (empirical Bayes, normal–normal): a subject's mean x̄ with sampling variance s²/n is
  pulled toward its peer group's mean μ by w = τ² / (τ² + σ²/n), where σ² is the group's pooled
  variance of single ratings and τ² the variance of the true means within the group, estimated by
  the method of moments (variance of observed means minus their average sampling variance),
  floored at ``tau2_floor``. The peer statistics leave the municipality itself out. The published
  estimate is μ + w (x̄ − μ), with standard error √w · s/√n. Peer group: the municipality kind ×
  population band; when fewer than ``min_peers`` other municipalities of the group have at least
  two ratings of the subject, the group widens to the kind; below that, no shrinkage.
- Citizen track: the mean of the published subjects' shrunk indices weighted by their number of
  accepted ratings — every rating weighs the same, so a subject with 10 ratings does not move the
  headline as much as one with 400, and the variance stays small. Subjects below the minimum sample
  are shown with their count but neither a number nor a weight.
- State track: per delegated power, from FINAL evaluations only: the mean of the indicators that
  count toward the LSG (1–5 scores mapped like citizen means; yes/partial/no as 100/50/0); the
  state-support indicators (funding, methodological support) are averaged apart and never enter
  the LSG's score. The track is the unweighted mean of the powers evaluated (each power is a legal
  duty of its own; there is no sample, so no sampling interval).
- Composite: weighted mean of the tracks that have an index, weights renormalised over them; the
  scorecard lists which tracks it is made of.
- Tiers: units sorted by index; a new tier begins where a unit's interval no longer overlaps the
  interval of its tier's first unit — so two units whose intervals overlap never get different
  ranks by noise alone.
- Rounding: indices to ``index_decimals`` and means to ``mean_decimals`` decimals, half away from
  zero (as taught at school and in official statistics; Babel's default, half-to-even, would
  show 62.5 → 62 but 63.5 → 64). Only the output is rounded; ranks and tiers use full precision.
"""
import json
import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from statistics import NormalDist

from sqlalchemy import func, select

from ..answers import scoring as answers_scoring
from ..db import db
from . import scoring
from .models import Methodology

DEFAULT_PARAMETERS = {
    "min_sample": scoring.DEFAULT_MIN_SAMPLE,
    "confidence": 0.90,
    "variance_floor": 0.25,
    "shrinkage": {"enabled": True, "min_peers": 5, "tau2_floor": 0.01},
    # Upper bounds (exclusive) of the population bands; municipalities without a known population
    # form the band "unknown" (in the 2021 registry that is all of them).
    "population_bands": [5000, 20000, 100000],
    "citizen_weighting": "ratings",
    "answer_points": {"yes": 100, "partial": 50, "no": 0},
    "composite_weights": {"citizen": 0.5, "state": 0.3, "budget_transparency": 0.1, "responsiveness": 0.1},
    "rounding": {"index_decimals": 1, "mean_decimals": 2, "mode": "half_up"},
}
# Version 2 (see scoring.py for the arithmetic and the methodology page for the wording): every
# accepted rating, the subject basket adjusted, Fay–Herriot shrinkage, intervals that keep their
# coverage for every unit, positions against the peer mean and rank intervals.
DEFAULT_PARAMETERS_V2 = {
    "method": 2,
    "min_sample": scoring.DEFAULT_MIN_SAMPLE,
    # Anti-stuffing: a subject's score, and the municipality's citizen index, are published only when
    # their accepted ratings came from this many distinct internet addresses (a rating without a
    # known address — paper, SMS — counts as one of its own). Version 1 had no such rule.
    "min_distinct_addresses": 5,
    "confidence": 0.90,
    "variance_floor": 0.25,
    "small_sample_prior": 1.0,
    "shrinkage": {"enabled": True, "min_peers": 10, "tau2_floor": 0.0001},
    "position": {"alpha": 0.10, "rank_draws": 400, "rank_level": 0.90},
    "answer_points": {"yes": 100, "partial": 50, "no": 0},
    "composite_weights": {"citizen": 0.5, "state": 0.3, "budget_transparency": 0.1, "responsiveness": 0.1},
    "rounding": {"index_decimals": 1, "mean_decimals": 2, "mode": "half_up"},
    # The responsiveness track's constants (answers/scoring.py: answer deadline in days, minimum of
    # comments due an answer, weights of its three shares). Version 1 has no such entry and uses
    # ``answers.scoring.RESPONSIVENESS``, the values it was published with (the same as these).
    "responsiveness": json.loads(json.dumps(answers_scoring.RESPONSIVENESS)),
}
BUILT_IN = {1: {}, 2: {"method": 2}}  # versions that exist before any is stored
TRACKS = ("citizen", "state", "budget_transparency", "responsiveness")


class MethodologyError(Exception):
    pass


@dataclass(frozen=True)
class Params:
    version: int
    values: dict
    published_at: object = None
    notes: str = ""

    def __getitem__(self, key):
        return self.values[key]

    @property
    def min_sample(self) -> int:
        return int(self.values["min_sample"])

    @property
    def method(self) -> int:
        return int(self.values.get("method", 1))

    @property
    def z(self) -> float:
        return NormalDist().inv_cdf(0.5 + self.values["confidence"] / 2)


def validate(values: dict) -> dict:
    """The full parameters: ``values`` over the defaults of their method (1 when not named)."""
    method = values.get("method", 1)
    if method not in (1, 2):
        raise MethodologyError("method is 1 or 2")
    merged = json.loads(json.dumps(DEFAULT_PARAMETERS if method == 1 else DEFAULT_PARAMETERS_V2))
    for key, value in values.items():
        if key not in merged:
            raise MethodologyError(f"unknown parameter: {key}")
        if key == "responsiveness":
            try:
                merged[key] = answers_scoring.validate_settings(value)
            except answers_scoring.SettingsError as error:
                raise MethodologyError(str(error)) from None
            continue
        if isinstance(merged[key], dict) and isinstance(value, dict):
            unknown = set(value) - set(merged[key])
            if unknown:
                raise MethodologyError(f"unknown parameter: {key}.{sorted(unknown)[0]}")
            merged[key].update(value)
        else:
            merged[key] = value
    if not (isinstance(merged["min_sample"], int) and merged["min_sample"] >= 2):
        raise MethodologyError("min_sample must be a whole number of at least 2")
    if not 0.5 <= float(merged["confidence"]) < 1:
        raise MethodologyError("confidence must be between 0.5 and 1")
    weights = merged["composite_weights"]
    if set(weights) != set(TRACKS) or any(float(w) < 0 for w in weights.values()) or not sum(weights.values()):
        raise MethodologyError("composite_weights need a non-negative weight for each track, not all zero")
    if method == 1:
        if merged["citizen_weighting"] not in ("ratings", "equal"):
            raise MethodologyError("citizen_weighting is 'ratings' or 'equal'")
        if sorted(merged["population_bands"]) != merged["population_bands"]:
            raise MethodologyError("population_bands must be increasing")
        return merged
    checks = (("variance_floor", merged["variance_floor"], 0, 4), ("small_sample_prior", merged["small_sample_prior"], 0, 50),
              ("shrinkage.tau2_floor", merged["shrinkage"]["tau2_floor"], 0, 1),
              ("shrinkage.min_peers", merged["shrinkage"]["min_peers"], 2, 1000),
              ("position.alpha", merged["position"]["alpha"], 0.001, 0.5),
              ("position.rank_draws", merged["position"]["rank_draws"], 100, 20000),
              ("position.rank_level", merged["position"]["rank_level"], 0.5, 0.99))
    for name, value, low, high in checks:
        if not isinstance(value, int | float) or isinstance(value, bool) or not low <= value <= high:
            raise MethodologyError(f"{name} must be a number from {low} to {high}")
    return merged


def _params(row: Methodology) -> Params:
    return Params(row.version, validate(json.loads(row.parameters)), row.published_at, row.notes)


def latest_version() -> int:
    return max(db.session.scalar(select(func.max(Methodology.version))) or 0, max(BUILT_IN))


def get(version: int | None = None) -> Params:
    """The given version (MethodologyError if unknown), or the newest one."""
    if version is None:
        version = latest_version()
    row = db.session.get(Methodology, version)
    if row is not None:
        return _params(row)
    if version in BUILT_IN:
        return Params(version, validate(BUILT_IN[version]))
    raise MethodologyError(f"no methodology version {version}")


def versions() -> list[Params]:
    stored = {row.version: _params(row) for row in db.session.scalars(select(Methodology))}
    for version, values in BUILT_IN.items():
        stored.setdefault(version, Params(version, validate(values)))
    return [stored[v] for v in sorted(stored)]


def publish(values: dict | None = None, notes: str = "", user_id: int | None = None) -> Params:
    """Publish a new version. The built-in versions are stored first (so that their numbers stay
    theirs); ``values`` change the newest version's parameters (None: store the built-ins only).
    Flushes; the caller commits."""
    for version, built_in in BUILT_IN.items():
        if db.session.get(Methodology, version) is None:
            db.session.add(Methodology(version=version, parameters=json.dumps(validate(built_in), sort_keys=True),
                                       notes="Built-in methodology.", published_by=user_id))
    db.session.flush()
    if values is None:
        return get()
    base = dict(get().values)
    merged = validate({**base, **values, "method": values.get("method", base.get("method", 1))})
    version = latest_version() + 1
    db.session.add(Methodology(version=version, parameters=json.dumps(merged, sort_keys=True),
                               notes=notes, published_by=user_id))
    db.session.flush()
    return get(version)


# --- arithmetic -------------------------------------------------------------------------------------

index_from_mean = scoring.index_from_mean


def population_band(population: int | None, bounds: list[int]) -> str:
    if population is None:
        return "unknown"
    low = 0
    for bound in bounds:
        if population < bound:
            return f"{low}-{bound}"
        low = bound
    return f"{low}+"


t_quantile = scoring.t_quantile


def sample_variance(n: int, total: float, total_sq: float, floor: float) -> float:
    if n < 2:
        return max(floor, 1.0)
    ss = max(0.0, total_sq - total * total / n)
    return max(ss / (n - 1), floor)


@dataclass(frozen=True)
class Estimate:
    """A subject's (or a track's) estimate on the 1–5 scale."""

    n: int
    mean: float | None  # plain mean of the accepted overall scores
    estimate: float | None  # published (shrunk) mean
    se: float | None  # its standard error
    weight: float | None  # shrinkage weight w on the own mean (1: no shrinkage)

    @property
    def index(self) -> float | None:
        return None if self.estimate is None else index_from_mean(self.estimate)


def interval(estimate: float, se: float, n: int, params: Params) -> tuple[float, float]:
    """The index interval for a 1–5 estimate with standard error ``se`` from ``n`` ratings."""
    q = t_quantile(0.5 + params["confidence"] / 2, max(n - 1, 1))
    low, high = estimate - q * se, estimate + q * se
    return max(0.0, index_from_mean(low)), min(100.0, index_from_mean(high))


@dataclass(frozen=True)
class PeerStats:
    mean: float  # μ on the 1–5 scale
    tau2: float  # variance of the true means within the group
    sigma2: float  # pooled within-municipality variance of single ratings
    units: int
    group: str  # "band" or "kind"


class PeerPool:
    """Running sums over a peer group's units (n ≥ 2 only) for one subject, so that each unit's
    peer statistics can leave the unit itself out in O(1). Leaving it out means a unit never shrinks
    toward itself, and its published index depends on its own ratings only through its mean: the
    index is monotone in every score."""

    def __init__(self, group: str):
        self.group = group
        self.k = 0
        self.n = self.total = self.ss = self.df = self.m = self.m2 = self.inv_n = 0.0

    @staticmethod
    def _terms(n: int, total: float, total_sq: float):
        mean = total / n
        return (1, n, total, max(0.0, total_sq - total * total / n), n - 1, mean, mean * mean, 1 / n)

    def add(self, n: int, total: float, total_sq: float, sign: int = 1) -> None:
        if n < 2:
            return
        terms = self._terms(n, total, total_sq)
        self.k += sign * terms[0]
        self.n += sign * terms[1]
        self.total += sign * terms[2]
        self.ss += sign * terms[3]
        self.df += sign * terms[4]
        self.m += sign * terms[5]
        self.m2 += sign * terms[6]
        self.inv_n += sign * terms[7]

    def without(self, n: int, total: float, total_sq: float, params: "Params") -> PeerStats | None:
        other = PeerPool(self.group)
        other.__dict__.update(self.__dict__)
        other.add(n, total, total_sq, sign=-1)
        if other.k < params["shrinkage"]["min_peers"] or other.n <= 0:
            return None
        k = other.k
        sigma2 = max(params["variance_floor"], other.ss / other.df) if other.df > 0 else params["variance_floor"]
        plain = other.m / k
        between = max(0.0, other.m2 - k * plain * plain) / (k - 1)
        tau2 = max(params["shrinkage"]["tau2_floor"], between - sigma2 * other.inv_n / k)
        return PeerStats(other.total / other.n, tau2, sigma2, int(k), self.group)


def estimate(n: int, total: float, total_sq: float, peers: PeerStats | None, params: Params) -> Estimate:
    if n == 0:
        return Estimate(0, None, None, None, None)
    mean = total / n
    var = sample_variance(n, total, total_sq, params["variance_floor"]) / n
    if peers is None or not params["shrinkage"]["enabled"]:
        return Estimate(n, mean, mean, math.sqrt(var), 1.0)
    # The weight uses the group's pooled variance (so it depends on n only, not on this unit's
    # spread); the interval's width uses the unit's own variance.
    w = peers.tau2 / (peers.tau2 + peers.sigma2 / n)
    return Estimate(n, mean, peers.mean + w * (mean - peers.mean), math.sqrt(w * var), w)


def tiers(items: list[tuple[str, float, float, float]]) -> dict[str, int]:
    """Tier numbers (1 = best) for (key, index, low, high): a new tier begins where an interval no
    longer overlaps the first interval of the current tier."""
    ordered = sorted(items, key=lambda item: (-item[1], item[0]))
    result, tier, leader_low = {}, 0, None
    for key, _index, _low, high in ordered:
        if leader_low is None or high < leader_low:
            tier += 1
            leader_low = _low
        result[key] = tier
    return result


def rounded(value: float | None, decimals: int) -> float | None:
    """Half away from zero, at the last step only."""
    if value is None:
        return None
    quantum = Decimal(1).scaleb(-decimals)
    return float(Decimal(repr(value)).quantize(quantum, rounding=ROUND_HALF_UP))

"""Comparisons of regions, districts, peer groups and urban vs rural (the read side).

``comparison_rows`` is the ONE adapter between this package and the scorecard methodology: it
reads today's scorecard context (``scorecards.scorecard.context``: the same per-municipality numbers
as the public scorecards) and aggregates them. When the scorecard package offers its own region /
district comparisons, point this function at them; nothing else here needs to change.

What a comparison row means (also on the methodology page of the comparisons, compare/_definition.html):

- Sampled indices (residents' assessment, one subject, one criterion) are weighted by RESIDENTS:
  the row's index is the mean of its municipalities' published indices weighted by the accepted
  ratings each is made of (every rating weighs the same, as in the citizen track itself);
  municipalities below the minimum sample contribute their count to ``n`` but no number. Its
  standard error combines the municipalities' standard errors with the same weights (independent
  samples), and the interval is Student-t at the methodology's confidence.
- State-assessed indices (state track, one delegated power) and the composite are weighted by
  MUNICIPALITIES: the unweighted mean of the municipalities that have the index; there is no
  sampling, so the interval describes the spread between municipalities (t-interval of their mean;
  none with fewer than two). ``n`` then counts municipalities.
- Position: ``above`` / ``below`` when the row's whole interval lies above / below the national value
  of the same index, ``indistinguishable`` when it contains it; no position without an interval.
  Under version 2 a municipality's residents' assessment is positioned as on its scorecard instead:
  the shared context's funnel class against its PEER mean, with its rank intervals (``basis`` "peers").
- Urban–rural gap: urban minus rural index, standard error √(se_u² + se_r²), normal interval.

Under methodology version 2 (the default) the residents' assessment follows the scorecards:

- Region, district and urban/rural rows are the numbers of ``scorecards.card.compare_areas``
  (/api/v1/compare), computed here by its formula without its other columns (tested equal):
  direct estimates from ALL accepted ratings of the area, every rating weighing the same, variance
  Σ n_i² v_i / N², interval θ ± t_{N−1} √V; "assessed" counts, as the API does, the municipalities
  with the minimum sample. The national value, and rows limited to one region (urban/rural within
  a region), are computed by the same formula (``direct_estimates``).
- A municipality's value is its published estimate in the shared context (``context.get``):
  index from ``est``, interval from ``low``/``high``, standard error √mse; peer groups are the shared
  context's (region × kind where enough units, else kind: ``context.peer_group``) and combine
  those like version 1 (weighted by ratings).
- The composite of a municipality is ``scorecard.composite_of`` of that citizen index, the state
  track and the registered tracks' period indices, as the version-2 scorecard computes it.
- The state track and delegated powers: as under version 1, with the version's answer points.
- Subjects and criteria are the scorecard's (``card.build``): a municipality's subject or criterion
  is published from the minimum sample (subjects also need the distinct-address rule), its index is
  the mean of its ratings, its interval the direct interval with version 2's variance (small-sample
  prior and floor); areas combine those weighted by ratings, as above.
"""
import math
from collections import defaultdict
from dataclasses import dataclass, field
from statistics import NormalDist

import numpy as np
from flask import g
from sqlalchemy import func, select

from ..catalog.models import Criterion, Subject
from ..db import db
from ..scorecards import area_inputs, scoring, tracks
from ..scorecards import context as shared
from ..scorecards import methodology as mth
from ..scorecards import queries as sc_queries
from ..scorecards.card import CLASSES
from ..scorecards.models import CriterionAggregate, RatingAggregate
from ..scorecards.scorecard import composite_of, context, state_tracks
from ..territory.models import District, Region

LEVELS = ("region", "district", "peer_group", "urban_rural", "municipality")
TRACK_KEYS = ("composite", "citizen", "state", "budget_transparency", "responsiveness")
RESIDENT_WEIGHTED = ("citizen", "subject", "criterion")
NOT_ENOUGH = "not_enough_ratings"
NOT_ASSESSED = "not_assessed"
NO_PEERS = "none"  # version 2: municipalities in no peer group (too few similar ones published)
URBAN, RURAL = "city", "aiyl_aimak"


@dataclass(frozen=True)
class Value:
    """One municipality's value of an index."""

    index: float | None
    se: float | None = None  # on the index scale; None when not sampled
    n: int = 0  # accepted ratings (sampled indices) or 1 (state-assessed)
    weight: float = 1.0  # ratings its index is made of (sampled) or 1
    interval: tuple[float, float] | None = None  # the published interval of one municipality (version 2)


@dataclass
class Row:
    code: str
    level: str
    name_ky: str
    name_ru: str
    municipalities: int = 0
    assessed: int = 0  # municipalities with a value
    n: int = 0  # ratings (sampled indices) or municipalities assessed (state-assessed)
    index: float | None = None
    se: float | None = None
    interval: tuple[float, float] | None = None
    position: str | None = None
    reason: str | None = None
    basis: str = "country"  # what the position is against: the national value, or (version 2) the peers
    rank_region: list[int] | None = None  # version 2, a municipality: [low, high, of] rank interval
    rank_nation: list[int] | None = None
    codes: list[str] = field(default_factory=list, repr=False)

    def name(self, lang: str) -> str:
        return self.name_ky if lang == "ky" else self.name_ru

    def as_dict(self, decimals: int = 1) -> dict:
        return {"code": self.code, "level": self.level, "name_ky": self.name_ky, "name_ru": self.name_ru,
                "municipalities": self.municipalities, "assessed": self.assessed, "n": self.n,
                "index": mth.rounded(self.index, decimals),
                "interval": [mth.rounded(v, decimals) for v in self.interval] if self.interval else None,
                "position": self.position, "position_basis": self.basis if self.position else None,
                "rank_region": self.rank_region, "rank_nation": self.rank_nation, "reason": self.reason}


def index_kind(index_key: str) -> str:
    return index_key.split(":", 1)[0]


def valid_index_key(index_key: str) -> bool:
    kind, _, code = index_key.partition(":")
    if kind in TRACK_KEYS and not code:
        return True
    if kind in ("subject", "power") and code:
        subject = db.session.get(Subject, code)
        return subject is not None and (subject.kind == "delegated_power") == (kind == "power")
    if kind == "criterion" and code:
        return db.session.get(Criterion, code) is not None
    return False


def criterion_values(period: int, criterion: str, params: mth.Params) -> dict[str, Value]:
    """Per municipality, a criterion's scores summed over its subjects (one query for the country);
    under version 2 as its scorecard has it (``card.build``: version 2's variance and interval)."""
    stmt = (select(CriterionAggregate.municipality_code, func.sum(CriterionAggregate.n),
                   func.sum(CriterionAggregate.total), func.sum(CriterionAggregate.total_sq))
            .where(CriterionAggregate.period == period, CriterionAggregate.criterion_code == criterion)
            .group_by(CriterionAggregate.municipality_code))
    found = [(code, int(n or 0), int(total or 0), int(total_sq or 0)) for code, n, total, total_sq
             in db.session.execute(stmt)]
    if params.method == 2:
        return _direct_values([(*cell, cell[1] >= params.min_sample) for cell in found], params)
    out = {}
    for code, n, total, total_sq in found:
        if n >= params.min_sample:
            se = math.sqrt(mth.sample_variance(n, total, total_sq, params["variance_floor"]) / n) * 25
            out[code] = Value(mth.index_from_mean(total / n), se, n, n)
        elif n:
            out[code] = Value(None, None, n, 0)
    return out


def _direct_values(cells: list[tuple], params: mth.Params) -> dict[str, Value]:
    """Version 2, per (code, n, total, total_sq, published): the scorecard's number of one subject or criterion —
    the index of the mean, the direct variance (small-sample prior, floor) and the published
    interval of the direct estimate (``scoring.published_interval``); a count only when unpublished."""
    cells = [cell for cell in cells if cell[1] > 0]
    if not cells:
        return {}
    n = np.array([cell[1] for cell in cells], float)
    total = np.array([cell[2] for cell in cells], float)
    total_sq = np.array([cell[3] for cell in cells], float)
    v = scoring.direct_variance(n, total, total_sq, params["variance_floor"], params["small_sample_prior"])
    mean = total / n
    low, high = scoring.published_interval(mean, v, n, mean, params["confidence"])
    out = {}
    for i, (code, count, _t, _q, published) in enumerate(cells):
        if published:
            out[code] = Value(scoring.index_from_mean(float(mean[i])), math.sqrt(float(v[i])) * 25, count, count,
                              (scoring.index_from_mean(float(low[i])), scoring.index_from_mean(float(high[i]))))
        else:
            out[code] = Value(None, None, count, 0)
    return out


def subject_values_v2(period: int, subject: str, params: mth.Params) -> dict[str, Value]:
    """Version 2: every municipality's number of one subject as its scorecard has it
    (``card.citizen_live``): published from the minimum sample and the distinct-address rule."""
    min_addresses = int(params.values.get("min_distinct_addresses", 1))
    addresses = _subject_addresses(period) if min_addresses > 1 else {}
    a = RatingAggregate
    stmt = select(a.municipality_code, a.n, a.total, a.total_sq).where(a.period == period, a.subject_code == subject,
                                                                      a.n > 0)
    cells = [(m, int(n), int(total), int(total_sq),
              n >= params.min_sample and (min_addresses <= 1 or addresses.get((m, subject), 0) >= min_addresses))
             for m, n, total, total_sq in db.session.execute(stmt)]
    return _direct_values(cells, params)


def _unit_totals(period: int) -> list[tuple]:
    """(municipality, n, total, total_sq) over all subjects of the period, summed in the database."""
    a = RatingAggregate
    stmt = (select(a.municipality_code, func.sum(a.n), func.sum(a.total), func.sum(a.total_sq))
            .where(a.period == period, a.n > 0).group_by(a.municipality_code))
    return [(m, int(n or 0), int(total or 0), int(total_sq or 0)) for m, n, total, total_sq in db.session.execute(stmt)]


def _subject_addresses(period: int) -> dict[tuple[str, str], int]:
    cache = g.setdefault("_compare_addresses", {})
    if period not in cache:
        cache[period] = sc_queries.distinct_addresses(period)
    return cache[period]


def shared_context(period: int, params: mth.Params) -> dict:
    """The version-2 shared context of the period (``context.get``), read once per request."""
    cache = g.setdefault("_compare_shared", {})
    if (period, params.version) not in cache:
        cache[period, params.version] = shared.get(period, params)
    return cache[period, params.version]


def peer_groups(period: int, params: mth.Params) -> dict[str, str]:
    """Version 2: every municipality's peer group as its scorecard has it (``context.peer_group``);
    ``NO_PEERS`` for those in none."""
    ctx = shared_context(period, params)
    return {code: shared.peer_group(ctx, code, unit) or NO_PEERS for code, unit in territory(period).units.items()}


def municipality_values(period: int, index_key: str, params: mth.Params) -> dict[str, Value]:
    """Every municipality's value of the index in the period (absent: nothing to count)."""
    cache = g.setdefault("_compare_values", {})
    if (period, index_key, params.version) not in cache:
        cache[period, index_key, params.version] = _municipality_values(period, index_key, params)
    return cache[period, index_key, params.version]


def _municipality_values(period: int, index_key: str, params: mth.Params) -> dict[str, Value]:
    kind, _, code = index_key.partition(":")
    ctx = context(period, params) if params.method == 1 else territory(period, params)
    out: dict[str, Value] = {}
    if params.method == 2 and kind == "subject":
        out = subject_values_v2(period, code, params)
    elif params.method == 2 and kind in ("citizen", "composite"):
        citizen = citizen_v2(period, params)
        if kind == "citizen":
            out = citizen
        else:
            # The registered tracks enter the composite at full precision, as their compute() gives
            # them to the scorecard (which rounds only what it publishes) and their period indices here.
            extra = ctx.extra()
            states = state_of_period(ctx, period, params)
            for m in ctx.units:
                c = citizen.get(m)
                comp = composite_of(params, c.index if c else None, c.interval if c else None, states.get(m),
                                    {key: tracks.TrackResult(index=values[m])
                                     for key, values in extra.items() if m in values})
                if comp["index"] is not None:
                    out[m] = Value(comp["index"])
    elif kind == "citizen":
        for m in ctx.units:
            t = ctx.citizen(m)
            if t.n:
                out[m] = Value(t.index, t.se, t.n, t.n_published if t.index is not None else 0)
    elif kind == "subject":
        for m in ctx.rows:
            for s in ctx.citizen(m).subjects:
                if s.code == code:
                    published = s.published
                    out[m] = Value(s.index if published else None, s.est.se * 25 if published else None, s.n,
                                   s.n if published else 0)
    elif kind == "criterion":
        out = criterion_values(period, code, params)
    elif kind == "state":
        out = {m: Value(s["index"]) for m, s in state_of_period(ctx, period, params).items() if s["index"] is not None}
    elif kind == "power":
        for m, s in state_of_period(ctx, period, params).items():
            entry = s["powers"].get(code)
            if entry and entry["index"] is not None:
                out[m] = Value(entry["index"])
    elif kind == "composite":
        for m in ctx.units:
            comp = ctx.composite(m)
            if comp["index"] is not None:
                out[m] = Value(comp["index"])
    elif kind in ("budget_transparency", "responsiveness"):
        # Tracks registered with the scorecard (scorecards/tracks.py) that list a period's indices;
        # compared like the state track: one municipality, one vote.
        out = {m: Value(index) for m, index in ctx.extra().get(kind, {}).items()}
    return {m: v for m, v in out.items() if m in ctx.units}


class Territory:
    """What grouping needs without a version-1 context: the municipalities in force, version 1's
    population bands (the peer groups compared here), the registered tracks' period indices."""

    def __init__(self, period: int, units: dict, params: mth.Params | None = None):
        self.period, self.units, self.params, self._extra, self._bands = period, units, params, None, None

    def band(self, unit) -> str:
        if self._bands is None:
            self._bands = mth.get(1)["population_bands"]
        return mth.population_band(unit.population, self._bands)

    def extra(self) -> dict[str, dict[str, float]]:
        if self._extra is None:  # kept across requests under the versions they rest on (area_inputs)
            self._extra = (area_inputs.get(self.period, self.params)[1] if self.params is not None
                           else tracks.period_indices(self.period, self.params))
        return self._extra


def territory(period: int, params: mth.Params | None = None) -> Territory:
    """``params``: the methodology version compared (the registered tracks' indices follow it)."""
    cache = g.setdefault("_compare_territory", {})
    key = (period, params.version if params is not None else None)
    if key not in cache:
        units = next(iter(cache.values())).units if cache else sc_queries.current_units()  # the same in every period
        cache[key] = Territory(period, units, params)
    return cache[key]


def state_of_period(ctx, period: int, params: mth.Params) -> dict[str, dict]:
    """Every municipality's state track under ``params`` (its answer points), as its scorecard has it."""
    if params.method == 1:
        return ctx.state()
    cache = g.setdefault("_compare_states", {})
    if (period, params.version) not in cache:
        cache[period, params.version] = state_tracks(sc_queries.state_indicator_scores(period, stream=True), params,
                                                     indicators=False)
    return cache[period, params.version]


def citizen_v2(period: int, params: mth.Params) -> dict[str, Value]:
    """Every rated municipality's residents' assessment under version 2: the shared context's
    published estimate (index of ``est``, interval of ``low``–``high``, se √mse on the index scale)
    when it has at least the minimum sample; otherwise its count and no number."""
    out = {}
    for m, u in shared_context(period, params)["units"].items():
        if not u["n"]:
            continue
        if u["n"] >= params.min_sample and u["est"] is not None:
            out[m] = Value(scoring.index_from_mean(u["est"]), math.sqrt(u["mse"]) * 25, u["n"], u["n"],
                           (scoring.index_from_mean(u["low"]), scoring.index_from_mean(u["high"])))
        else:
            out[m] = Value(None, None, u["n"], 0)
    return out


def _direct_units(period: int, params: mth.Params) -> tuple:
    """Per rated municipality: n, total and direct variance v (arrays) and its position; once per request."""
    cache = g.setdefault("_compare_direct", {})
    key = (period, params.version)
    if key not in cache:
        c = scoring.Constants.from_params(params.values)
        per_unit = {m: (float(n), float(total), float(total_sq)) for m, n, total, total_sq in _unit_totals(period)}
        clusters = sc_queries.period_clusters(period)
        codes = [code for code, acc in per_unit.items() if acc[0] > 0]
        n = np.array([per_unit[code][0] for code in codes], float)
        total = np.array([per_unit[code][1] for code in codes], float)
        total_sq = np.array([per_unit[code][2] for code in codes], float)
        cl = np.array([clusters.get(code, (0, 0, 0, 0)) for code in codes], float).reshape(-1, 4)
        v = scoring.direct_variance(n, total, total_sq, c.variance_floor, c.small_sample_prior,
                                    *(cl[:, i] for i in range(4))) if codes else np.zeros(0)
        cache[key] = (n, total, v, {code: i for i, code in enumerate(codes)})
    return cache[key]


def direct_estimates(period: int, params: mth.Params, groups: dict[str, list[str]]) -> dict[str, tuple]:
    """Version 2, per group of municipalities: (N, index, se, interval, published) of the direct
    estimate from all its accepted ratings, the formula of ``card.compare_areas`` (index and interval
    None below the minimum sample; se on the index scale; published: its municipalities with the
    minimum sample, as the API counts them)."""
    c = scoring.Constants.from_params(params.values)
    n, total, v, where = _direct_units(period, params)
    out = {}
    for key, members in groups.items():
        idx = [where[m] for m in members if m in where]
        big_n = float(n[idx].sum()) if idx else 0.0
        published = int((n[idx] >= c.min_sample).sum()) if idx else 0
        if big_n < c.min_sample:
            out[key] = (int(big_n), None, None, None, published)
            continue
        mean = float(total[idx].sum()) / big_n
        sd = math.sqrt(float((n[idx] ** 2 * v[idx]).sum())) / big_n
        t = scoring.t_quantile(0.5 + c.confidence / 2, int(big_n) - 1)
        out[key] = (int(big_n), scoring.index_from_mean(mean), sd * 25,
                    (max(0.0, scoring.index_from_mean(mean - t * sd)), min(100.0, scoring.index_from_mean(mean + t * sd))),
                    published)
    return out


def aggregate(values: list[Value], sampled: bool, params: mth.Params) -> tuple:
    """(index, se, interval, n, assessed) of a group of municipalities under the documented weighting."""
    confidence = params["confidence"]
    if sampled:
        n = sum(v.n for v in values)
        published = [v for v in values if v.index is not None and v.weight > 0]
        weight = sum(v.weight for v in published)
        if not published:
            return None, None, None, n, 0
        index = sum(v.index * v.weight for v in published) / weight
        se = math.sqrt(sum((v.weight / weight * v.se) ** 2 for v in published))
        q = mth.t_quantile(0.5 + confidence / 2, max(int(weight) - 1, 1))
        return index, se, (max(0.0, index - q * se), min(100.0, index + q * se)), n, len(published)
    found = [v.index for v in values if v.index is not None]
    k = len(found)
    if not k:
        return None, None, None, 0, 0
    index = sum(found) / k
    if k < 2:
        return index, None, None, k, k
    sd = math.sqrt(sum((x - index) ** 2 for x in found) / (k - 1))
    se = sd / math.sqrt(k)
    q = mth.t_quantile(0.5 + confidence / 2, k - 1)
    return index, se, (max(0.0, index - q * se), min(100.0, index + q * se)), k, k


def group_key(level: str, ctx, unit, peers: dict[str, str] | None = None) -> str:
    if level == "region":
        return unit.region_code
    if level == "district":
        return unit.district_code or unit.region_code  # Bishkek and Osh stand directly under their region
    if level == "peer_group":
        return peers[unit.code] if peers is not None else f"{unit.kind}:{ctx.band(unit)}"
    if level == "urban_rural":
        return unit.kind
    return unit.code


def _names(level: str, keys) -> dict[str, tuple[str, str]]:
    from ..territory.models import Municipality
    from .labels import group_names

    if level in ("region", "district"):
        if "_compare_area_names" not in g:
            names = {r.code: (r.name_ky, r.name_ru) for r in db.session.execute(select(Region.code, Region.name_ky, Region.name_ru))}
            names.update({d.code: (d.name_ky, d.name_ru)
                          for d in db.session.execute(select(District.code, District.name_ky, District.name_ru))})
            g._compare_area_names = names
        return g._compare_area_names
    if level == "municipality":
        stmt = select(Municipality.code, Municipality.name_ky, Municipality.name_ru).where(Municipality.code.in_(list(keys)))
        return {c: (ky, ru) for c, ky, ru in db.session.execute(stmt)}
    return group_names(keys)


def national(period: int, index_key: str, params: mth.Params) -> Row:
    cache = g.setdefault("_compare_national", {})
    if (period, index_key, params.version) not in cache:
        cache[period, index_key, params.version] = comparison_rows("national", period, index_key, params)[0]
    return cache[period, index_key, params.version]


def comparison_rows(level: str, period: int, index_key: str, params: mth.Params, within: str | None = None,
                    kind: str | None = None) -> list[Row]:
    """One row per unit of ``level`` (region, district, peer_group, urban_rural, municipality, or
    "national": one row for the country), optionally only municipalities ``within`` a region or
    district and of one ``kind`` (city / aiyl_aimak). Rows are sorted by code."""
    ctx = context(period, params) if params.method == 1 else territory(period, params)
    sampled = index_kind(index_key) in RESIDENT_WEIGHTED
    groups: dict[str, list[str]] = defaultdict(list)
    peers = peer_groups(period, params) if level == "peer_group" and params.method == 2 else None
    for code, unit in ctx.units.items():
        if within and within not in (unit.region_code, unit.district_code):
            continue
        if kind and unit.kind != kind:
            continue
        groups["national" if level == "national" else group_key(level, ctx, unit, peers)].append(code)
    names = {"national": ("Кыргыз Республикасы", "Кыргызская Республика")} if level == "national" else _names(level, groups)
    reason_none = NOT_ASSESSED if index_kind(index_key) not in RESIDENT_WEIGHTED else NOT_ENOUGH
    direct = params.method == 2 and index_key == "citizen" and level in ("national", *AREA_LEVELS)
    estimates = direct_estimates(period, params, groups) if direct else {}
    values = {} if direct else municipality_values(period, index_key, params)
    # Whole-country area rows are the published numbers of /api/v1/compare (card.compare_areas, the
    # same formula): rounded as it rounds them, its count of published municipalities.
    published_area = direct and level in AREA_LEVELS and not within and not kind
    rows = []
    for key in sorted(groups):
        codes = groups[key]
        if direct:  # assessed: as the API counts them, the municipalities with the minimum sample
            n, index, se, interval, assessed = estimates[key]
            if published_area:
                decimals = params["rounding"]["index_decimals"]
                index = mth.rounded(index, decimals) if index is not None else None
                interval = tuple(mth.rounded(v, decimals) for v in interval) if interval else None
        else:
            index, se, interval, n, assessed = aggregate([values[c] for c in codes if c in values], sampled, params)
            if level == "municipality" and key in values and values[key].interval is not None:
                interval = values[key].interval  # version 2: the municipality's published interval
        ky, ru = names.get(key, (key, key))
        rows.append(Row(key, level, ky, ru, len(codes), assessed, n, index, se, interval,
                        reason=None if index is not None else reason_none, codes=codes))
    if level != "national" and rows:
        reference = national(period, index_key, params).index
        for row in rows:
            row.position = position(row.interval, reference)
    if level == "municipality" and params.method == 2 and index_key == "citizen":
        peer_positions(rows, shared_context(period, params))
    return rows


def peer_positions(rows: list[Row], ctx: dict) -> None:
    """Version 2: municipalities' residents' assessment positioned as on their scorecards — the shared
    context's funnel class (above / indistinguishable / below the peer mean) and rank intervals."""
    for row in rows:
        unit = ctx["units"].get(row.code) or {}
        cls = unit.get("class") if row.index is not None else None
        row.position, row.basis = (CLASSES[cls] if cls is not None else None), "peers"
        ranks = unit.get("rank") or {}
        row.rank_region, row.rank_nation = (ranks.get("region"), ranks.get("nation")) if row.index is not None else (None, None)


AREA_LEVELS = ("region", "district", "urban_rural")
AREA_CODES = {"urban": URBAN, "rural": RURAL}


def position(interval, reference: float | None) -> str | None:
    if interval is None or reference is None:
        return None
    if interval[0] > reference:
        return "above"
    if interval[1] < reference:
        return "below"
    return "indistinguishable"


@dataclass
class Gap:
    code: str
    name_ky: str
    name_ru: str
    urban: Row
    rural: Row
    gap: float | None = None
    interval: tuple[float, float] | None = None

    def name(self, lang: str) -> str:
        return self.name_ky if lang == "ky" else self.name_ru


def _gap(code, ky, ru, urban: Row, rural: Row, params: mth.Params) -> Gap:
    gap = Gap(code, ky, ru, urban, rural)
    if urban.index is not None and rural.index is not None:
        gap.gap = urban.index - rural.index
        if urban.se is not None and rural.se is not None:
            z = NormalDist().inv_cdf(0.5 + params["confidence"] / 2)
            half = z * math.sqrt(urban.se ** 2 + rural.se ** 2)
            gap.interval = (gap.gap - half, gap.gap + half)
    return gap


def urban_rural_gaps(period: int, index_key: str, params: mth.Params) -> list[Gap]:
    """The urban–rural gap per region, then nationally (last row, code "national")."""
    result = []
    empty = {k: Row("", "urban_rural", "", "") for k in (URBAN, RURAL)}
    for region in comparison_rows("region", period, index_key, params):
        parts = {r.code: r for r in comparison_rows("urban_rural", period, index_key, params, within=region.code)}
        result.append(_gap(region.code, region.name_ky, region.name_ru, parts.get(URBAN, empty[URBAN]),
                           parts.get(RURAL, empty[RURAL]), params))
    parts = {r.code: r for r in comparison_rows("urban_rural", period, index_key, params)}
    result.append(_gap("national", "Кыргыз Республикасы", "Кыргызская Республика", parts.get(URBAN, empty[URBAN]),
                       parts.get(RURAL, empty[RURAL]), params))
    return result


def trends(level: str, periods: list[int], index_key: str, params: mth.Params, within: str | None = None
           ) -> dict[str, dict[int, Row]]:
    """unit code → period → row, for the periods given (oldest first)."""
    out: dict[str, dict[int, Row]] = defaultdict(dict)
    for period in periods:
        for row in comparison_rows(level, period, index_key, params, within=within):
            out[row.code][period] = row
    return out


def change(current: Row, previous: Row | None) -> dict | None:
    """The move between two periods' rows and whether their intervals separate."""
    if previous is None or current.index is None or previous.index is None:
        return None
    clear = None
    if current.interval and previous.interval:
        clear = current.interval[0] > previous.interval[1] or current.interval[1] < previous.interval[0]
    return {"change": current.index - previous.index, "clear": clear, "previous": previous}


def sort_rows(rows: list, key: str, lang: str) -> list:
    """Sort for the ?sort= links: name, index (missing last), n, position."""
    descending = key.startswith("-")
    key = key.lstrip("-")
    if key == "name":
        return sorted(rows, key=lambda r: r.name(lang).casefold(), reverse=descending)
    order = {"above": 0, "indistinguishable": 1, "below": 2, None: 3}
    if key == "position":
        present = [r for r in rows if r.position is not None]
        absent = [r for r in rows if r.position is None]
        return sorted(present, key=lambda r: order[r.position], reverse=descending) + absent
    attr = {"index": "index", "n": "n", "municipalities": "municipalities"}.get(key, "index")
    present = [r for r in rows if getattr(r, attr) is not None]
    absent = [r for r in rows if getattr(r, attr) is None]
    return sorted(present, key=lambda r: getattr(r, attr), reverse=not descending) + absent


def scorecard_rows(period: int, params: mth.Params) -> list[dict]:
    """Every municipality's scorecard numbers (citizen, state, composite: n, index, interval)."""
    tracks = ("citizen", "state", "composite")
    by_track = {t: {r.code: r for r in comparison_rows("municipality", period, t, params)} for t in tracks}
    units = territory(period).units
    rows = []
    for code, row in sorted(by_track["citizen"].items()):
        unit = units[code]
        item = {"code": code, "name_ky": row.name_ky, "name_ru": row.name_ru, "kind": unit.kind,
                "region_code": unit.region_code, "district_code": unit.district_code}
        for t in tracks:
            r = by_track[t][code]
            item.update({f"{t}_n": r.n, f"{t}_index": r.index, f"{t}_low": r.interval[0] if r.interval else None,
                         f"{t}_high": r.interval[1] if r.interval else None})
        rows.append(item)
    return rows

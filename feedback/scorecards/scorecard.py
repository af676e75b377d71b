"""Scorecards: the numbers of one municipality and period, under one methodology version.

Reads only the aggregates (one query per period for the whole country: peer groups and positions
need every municipality anyway) and the final state evaluations; never the raw ratings.
"""
import math
from collections import defaultdict
from dataclasses import dataclass, field

from flask import g

from ..transparency.queries import priorities, priorities_json
from . import kept, queries, tracks
from . import methodology as mth

NOT_ENOUGH = "not_enough_ratings"
NO_EVALUATIONS = "no_final_evaluations"
NOT_AVAILABLE = "not_available_yet"
NO_TRACK = "no_track_published"


@dataclass
class SubjectScore:
    code: str
    n: int
    total: int
    total_sq: int
    n_all: int  # accepted ratings, verified or not (for the verified share)
    n_verified: int
    n_quarantined: int
    distribution: tuple[int, ...]
    est: mth.Estimate
    published: bool
    interval: tuple[float, float] | None
    peers: mth.PeerStats | None

    @property
    def mean(self) -> float | None:
        return self.est.mean

    @property
    def index(self) -> float | None:
        return self.est.index if self.published else None


@dataclass
class Track:
    n: int = 0
    mean: float | None = None
    index: float | None = None
    se: float | None = None  # on the index scale
    interval: tuple[float, float] | None = None
    reason: str | None = None
    subjects: list[SubjectScore] = field(default_factory=list)
    n_all: int = 0
    n_verified: int = 0
    n_quarantined: int = 0
    n_published: int = 0  # ratings of the published subjects: what the index is made of


class Context:
    """Everything needed to score every municipality in one period under one methodology."""

    def __init__(self, period: int, params: mth.Params, verified: bool = False, channel: str | None = None):
        self.period, self.params, self.verified, self.channel = period, params, verified, channel
        self.units = queries.current_units()
        self.rows: dict[str, dict[str, tuple]] = defaultdict(dict)
        self.pools: dict[tuple, mth.PeerPool] = {}
        # One channel (the channel switch): its ratings only, compared with the same channel elsewhere.
        rows = queries.period_channel_aggregates(period, channel) if channel else queries.period_aggregates(period)
        for agg in rows:
            if agg.municipality_code not in self.units:
                continue
            n, total, total_sq = ((agg.n_verified, agg.total_verified, agg.total_sq_verified) if verified
                                  else (agg.n, agg.total, agg.total_sq))
            self.rows[agg.municipality_code][agg.subject_code] = (
                n, total, total_sq, agg.n, agg.n_verified, agg.n_quarantined, (agg.n1, agg.n2, agg.n3, agg.n4, agg.n5))
            unit = self.units[agg.municipality_code]
            for key in self._pool_keys(unit, agg.subject_code):
                self.pools.setdefault(key, mth.PeerPool(key[0])).add(n, total, total_sq)
        self._citizen: dict[str, Track] = {}
        self._state: dict | None = None
        # Version 1 as published has no address rule; a stored version may add one (then one read).
        self.min_addresses = int(params.values.get("min_distinct_addresses", 1))
        self.addresses = queries.distinct_addresses(period) if self.min_addresses > 1 else {}

    def band(self, unit: queries.Unit) -> str:
        return mth.population_band(unit.population, self.params["population_bands"])

    def peer_key(self, unit: queries.Unit) -> tuple[str, str]:
        return unit.kind, self.band(unit)

    def _pool_keys(self, unit, subject):
        return (("band", subject, unit.kind, self.band(unit)), ("kind", subject, unit.kind))

    def subject_scores(self, code: str) -> list[SubjectScore]:
        unit = self.units[code]
        result = []
        for subject, (n, total, total_sq, n_all, n_verified, n_q, dist) in sorted(self.rows.get(code, {}).items()):
            peers = None
            for key in self._pool_keys(unit, subject):
                peers = self.pools[key].without(n, total, total_sq, self.params)
                if peers is not None:
                    break
            est = mth.estimate(n, total, total_sq, peers, self.params)
            published = n >= self.params.min_sample and self.addresses.get((code, subject), n) >= self.min_addresses
            interval = mth.interval(est.estimate, est.se, n, self.params) if published else None
            result.append(SubjectScore(subject, n, total, total_sq, n_all, n_verified, n_q, dist, est, published,
                                       interval, peers))
        return result

    def citizen(self, code: str) -> Track:
        if code not in self._citizen:
            self._citizen[code] = self._citizen_track(code)
        return self._citizen[code]

    def _citizen_track(self, code: str) -> Track:
        subjects = self.subject_scores(code)
        track = Track(subjects=subjects)
        track.n = sum(s.n for s in subjects)
        track.n_all = sum(s.n_all for s in subjects)
        track.n_verified = sum(s.n_verified for s in subjects)
        track.n_quarantined = sum(s.n_quarantined for s in subjects)
        total = sum(s.total for s in subjects)
        track.mean = total / track.n if track.n else None
        published = [s for s in subjects if s.published]
        if not published:
            track.reason = NOT_ENOUGH
            return track
        if self.params["citizen_weighting"] == "equal":
            weights = [1 / len(published)] * len(published)
        else:
            n_published = sum(s.n for s in published)
            weights = [s.n / n_published for s in published]
        estimate = sum(w * s.est.estimate for w, s in zip(weights, published, strict=False))
        se = math.sqrt(sum((w * s.est.se) ** 2 for w, s in zip(weights, published, strict=False)))
        n_published = sum(s.n for s in published)
        track.n_published = n_published
        track.index = mth.index_from_mean(estimate)
        track.se = se * 25
        track.interval = mth.interval(estimate, se, n_published, self.params)
        return track

    def published_citizen(self, codes) -> list[tuple[str, float, float, float]]:
        items = []
        for code in codes:
            track = self.citizen(code)
            if track.index is not None:
                items.append((code, track.index, *track.interval))
        return items

    def state(self) -> dict[str, dict]:
        """municipality → {"index", "powers": {power: {...}}} from final evaluations."""
        if self._state is None:
            self._state = state_tracks(queries.state_indicator_scores(self.period), self.params)
        return self._state

    def state_of(self, code: str) -> dict | None:
        """One municipality's state track, without loading the whole country's evaluations."""
        if self._state is not None:
            return self._state.get(code)
        return state_tracks(queries.state_indicator_scores(self.period, code), self.params).get(code)

    def extra(self) -> dict[str, dict[str, float]]:
        """track key → {municipality → index} of every registered track that lists a period's indices."""
        if getattr(self, "_extra", None) is None:  # kept across requests under the versions they rest on
            from .area_inputs import get as area_inputs

            self._extra = area_inputs(self.period, self.params)[1]
        return self._extra

    def composite(self, code: str) -> dict:
        citizen = self.citizen(code)
        extra = {key: tracks.TrackResult(index=values[code]) for key, values in self.extra().items() if code in values}
        return composite_of(self.params, citizen.index, citizen.interval, self.state().get(code), extra)


def state_tracks(rows, params: mth.Params, indicators: bool = True) -> dict[str, dict]:
    """municipality → {"index", "powers": {power: {"agency", "index", "support_index", "lsg",
    "support", "indicators"}}} from the rows of ``queries.state_indicator_scores``. ``indicators``
    False: each power's list of indicators is left empty (what compares indices needs; a national
    period's tens of thousands of indicator entries are not built)."""
    points = params["answer_points"]
    powers: dict[str, dict[str, dict]] = defaultdict(dict)
    for municipality, power, agency, indicator, counts, scale, score, answer in rows:
        entry = powers[municipality].setdefault(power, {"agency": agency, "lsg": [], "support": [], "indicators": []})
        value = mth.index_from_mean(score) if scale == "1-5" and score is not None else (
            float(points[answer]) if answer in points else None)
        if indicators:
            entry["indicators"].append({"code": indicator, "counts_toward_lsg_score": bool(counts), "score": score,
                                        "answer": answer, "index": value})
        if value is not None:
            entry["lsg" if counts else "support"].append(value)
    result = {}
    for municipality, by_power in powers.items():
        for entry in by_power.values():
            entry["index"] = sum(entry["lsg"]) / len(entry["lsg"]) if entry["lsg"] else None
            entry["support_index"] = sum(entry["support"]) / len(entry["support"]) if entry["support"] else None
        indices = [e["index"] for e in by_power.values() if e["index"] is not None]
        result[municipality] = {"index": sum(indices) / len(indices) if indices else None, "powers": by_power}
    return result


def composite(params: mth.Params, citizen: Track, state: dict | None) -> dict:
    return composite_of(params, citizen.index, citizen.interval, state, {})


def composite_of(params: mth.Params, citizen_index, citizen_interval, state: dict | None, extra: dict) -> dict:
    """Weighted mean of the tracks with an index (weights renormalised over them); ``extra`` maps
    registered tracks' keys to their TrackResult."""
    weights = params["composite_weights"]
    parts = []
    if citizen_index is not None:
        parts.append(("citizen", citizen_index, citizen_interval))
    if state and state["index"] is not None:
        parts.append(("state", state["index"], (state["index"], state["index"])))
    for key, result in extra.items():
        if result.index is not None and key in weights:
            parts.append((key, result.index, result.interval or (result.index, result.index)))
    used = [(name, index, interval, float(weights[name])) for name, index, interval in parts if weights[name] > 0]
    total = sum(w for *_, w in used)
    if not used or total <= 0:
        return {"index": None, "interval": None, "reason": NO_TRACK, "components": []}
    # The state track has no sampling uncertainty; the composite's interval carries the citizen
    # track's interval scaled by its (renormalised) weight.
    index = sum(i * w for _, i, _, w in used) / total
    low = sum(iv[0] * w for _, _, iv, w in used) / total
    high = sum(iv[1] * w for _, _, iv, w in used) / total
    if not any(name in ("citizen", "responsiveness") for name, *_ in used):
        low = high = None  # no sampled track: nothing uncertain to show as an interval
    return {"index": index, "interval": None if low is None else (low, high), "reason": None,
            "components": [{"track": name, "weight": w / total, "index": i} for name, i, _, w in used],
            "missing": [t for t in mth.TRACKS if t not in {name for name, *_ in used}]}


def context(period: int, params: mth.Params, verified: bool = False, channel: str | None = None) -> Context:
    """The version-1 scoring context of a period, computed once per request (version 1 is kept to
    reproduce published numbers; version 2 shares its context between processes, see context.py)."""
    kept.check_period(period)  # made from every rating of the period: kept only under its counter
    per_request = g.setdefault("_scorecard_contexts", {})
    key = (period, params.version, verified) if channel is None else (period, params.version, verified, channel)
    if key not in per_request:
        per_request[key] = Context(period, params, verified, channel) if channel else Context(period, params, verified)
    return per_request[key]


def position(ctx: Context, code: str) -> dict:
    """The municipality's tier within its region and within its peer group (None below the minimum)."""
    unit = ctx.units[code]
    groups = {
        "region": [c for c, u in ctx.units.items() if u.region_code == unit.region_code],
        "peer_group": [c for c, u in ctx.units.items() if ctx.peer_key(u) == ctx.peer_key(unit)],
    }
    result = {}
    for name, codes in groups.items():
        items = ctx.published_citizen(codes)
        tiers = mth.tiers(items)
        result[name] = {"tier": tiers.get(code), "tiers": max(tiers.values(), default=0), "published": len(items),
                        "municipalities": len(codes)}
    return result


def trend(code: str, period: int, params: mth.Params, verified: bool, current: Track, channel: str | None = None) -> dict:
    previous = context(period - 1, params, verified, channel).citizen(code)
    direction = None
    if current.index is not None and previous.index is not None:
        if previous.interval[1] < current.interval[0]:
            direction = "up"
        elif current.interval[1] < previous.interval[0]:
            direction = "down"
        else:
            direction = "no_clear_change"
    return {"previous_period": period - 1, "previous_index": previous.index, "previous_interval": previous.interval,
            "previous_n": previous.n,
            "change": (current.index - previous.index) if direction else None, "direction": direction}


def criteria_profile(code: str, period: int, params: mth.Params) -> list[dict]:
    rows = []
    for criterion, n, total, total_sq, n_unknown in queries.criterion_profile(code, period):
        published = n >= params.min_sample
        mean = total / n if n else None
        interval = None
        if published:
            se = math.sqrt(mth.sample_variance(n, total, total_sq, params["variance_floor"]) / n)
            interval = mth.interval(mean, se, n, params)
        rows.append({"code": criterion, "n": n, "n_unknown": n_unknown, "mean": mean, "published": published,
                     "index": mth.index_from_mean(mean) if published else None, "interval": interval})
    published = [r for r in rows if r["published"]]
    lowest = min(published, key=lambda r: r["index"])["code"] if len(published) >= 2 else None
    for row in rows:
        row["lowest"] = row["code"] == lowest
    return rows


def _r(params: mth.Params, value, kind: str = "index"):
    decimals = params["rounding"]["index_decimals" if kind == "index" else "mean_decimals"]
    if isinstance(value, tuple | list):
        return [mth.rounded(v, decimals) for v in value]
    return mth.rounded(value, decimals)


def build(municipality, period: int, params: mth.Params, verified: bool = False, channel: str | None = None) -> dict:
    """The scorecard as plain data (the API's JSON; the page renders the same numbers), under the
    version's method (2: card.py; 1: below). Rounded here, once, half away from zero. ``channel``:
    one channel's ratings only (no criteria: their answers are not kept per channel)."""
    if params.method == 2:
        from .card import build as build_v2

        if channel:
            return build_v2(municipality, period, params, verified, channel)
        return build_v2(municipality, period, params, verified)
    ctx = context(period, params, verified, channel)
    code = municipality.code
    unit = ctx.units.get(code)
    citizen = ctx.citizen(code) if unit else Track(reason=NOT_ENOUGH)
    if citizen.reason is None and citizen.index is None:
        citizen.reason = NOT_ENOUGH
    state = ctx.state_of(code)
    extra = {key: tracks.compute(key, municipality, period, params) for key in ("budget_transparency", "responsiveness")}
    comp = composite_of(params, citizen.index, citizen.interval, state, extra)
    min_n = params.min_sample

    def subject_json(s: SubjectScore) -> dict:
        return {"code": s.code, "n": s.n, "mean": _r(params, s.mean, "mean"), "index": _r(params, s.index),
                "interval": _r(params, s.interval) if s.published else None, "published": s.published,
                "reason": None if s.published else NOT_ENOUGH,
                "raw_index": _r(params, mth.index_from_mean(s.mean)) if s.published else None,
                "shrinkage_weight": mth.rounded(s.est.weight, 3) if s.published else None,
                "peer_group": s.peers.group if (s.published and s.peers) else None,
                "n_quarantined": s.n_quarantined, "n_verified": s.n_verified,
                "distribution": list(s.distribution)}

    powers = []
    for power, entry in sorted((state or {"powers": {}})["powers"].items()):
        powers.append({"code": power, "agency": entry["agency"], "index": _r(params, entry["index"]),
                       "state_support_index": _r(params, entry["support_index"]),
                       "indicators": [{**i, "index": _r(params, i["index"])} for i in entry["indicators"]]})
    pos = position(ctx, code) if unit else {}
    if citizen.index is None:
        for group in pos.values():
            group["tier"] = None
    card = {
        "municipality": {"code": code, "name_ky": municipality.name_ky, "name_ru": municipality.name_ru,
                         "kind": municipality.kind, "region_code": municipality.region_code,
                         "district_code": municipality.district_code},
        "period": period,
        "methodology_version": params.version,
        "verified_only": verified,
        "min_sample": min_n,
        "confidence": params["confidence"],
        "peer_group": {"kind": municipality.kind,
                       "population_band": mth.population_band(municipality.population, params["population_bands"])},
        "citizen": {
            "n": citizen.n, "mean": _r(params, citizen.mean, "mean"), "index": _r(params, citizen.index),
            "interval": _r(params, citizen.interval) if citizen.interval else None, "reason": citizen.reason,
            "n_accepted": citizen.n_all, "n_verified": citizen.n_verified,
            "verified_share": mth.rounded(citizen.n_verified / citizen.n_all, 3) if citizen.n_all else None,
            "n_quarantined": citizen.n_quarantined,
            "weighting": params["citizen_weighting"],
            "subjects": [subject_json(s) for s in citizen.subjects],
            "criteria": [{**c, "mean": _r(params, c["mean"], "mean"), "index": _r(params, c["index"]),
                          "interval": _r(params, c["interval"]) if c["interval"] else None}
                         for c in ([] if channel else criteria_profile(code, period, params))],
            "trend": _trend_json(params, trend(code, period, params, verified, citizen, channel)) if unit else None,
        },
        "state": {"index": _r(params, state["index"]) if state else None, "interval": None,
                  "reason": None if state and state["index"] is not None else NO_EVALUATIONS,
                  "powers": powers},
        "budget_transparency": _track_json(params, extra["budget_transparency"]),
        "budget_priorities": priorities_json(priorities(code, period, min_n, params.z)),
        "responsiveness": _track_json(params, extra["responsiveness"]),
        "composite": {"index": _r(params, comp["index"]),
                      "interval": _r(params, comp["interval"]) if comp["interval"] else None,
                      "reason": comp["reason"],
                      "components": [{"track": c["track"], "weight": mth.rounded(c["weight"], 3),
                                      "index": _r(params, c["index"])} for c in comp["components"]],
                      "missing": comp.get("missing", list(mth.TRACKS))},
        "position": pos,
    }
    if channel:  # the default card stays as it was: the key only where one channel is shown
        card = {**card, "channel": channel}
    return card


def _track_json(params: mth.Params, result: tracks.TrackResult) -> dict:
    """A registered track as version 1 published it (rounded; no ``n`` where the track counts nothing)."""
    data = {**result.as_json(), "index": _r(params, result.index),
            "interval": _r(params, result.interval) if result.interval else None}
    if result.n is None:
        data.pop("n")
    return data


def _trend_json(params, t: dict) -> dict:
    return {"previous_period": t["previous_period"], "previous_index": _r(params, t["previous_index"]),
            "previous_interval": _r(params, t["previous_interval"]) if t["previous_interval"] else None,
            "change": _r(params, t["change"]), "direction": t["direction"]}


def compare(level: str, period: int, params: mth.Params, names: dict[str, tuple[str, str]]) -> list[dict]:
    """One row per region or district: municipalities, how many have a published citizen index,
    ratings, and the units' citizen index (their published citizen indices weighted by ratings),
    state and composite index, and tiers that differ only where intervals separate. Version 2 and
    later: card.compare_areas (direct estimates from all ratings, also urban/rural)."""
    if params.method == 2:
        from .card import compare_areas

        return compare_areas(level, period, params, names)
    ctx = context(period, params)
    states = ctx.state()
    groups: dict[str, list[str]] = defaultdict(list)
    for code, unit in ctx.units.items():
        from .card import area_key

        key = area_key(unit, level)
        groups[key].append(code)
    rows, items = [], []
    for key, codes in groups.items():
        tracks = [ctx.citizen(c) for c in codes]
        published = [t for t in tracks if t.index is not None]
        n_pub = sum(t.n_published for t in published)
        index = interval = None
        if published:
            index = sum(t.index * t.n_published for t in published) / n_pub
            se = math.sqrt(sum((t.n_published / n_pub * t.se) ** 2 for t in published))
            q = mth.t_quantile(0.5 + params["confidence"] / 2, max(n_pub - 1, 1))
            interval = (max(0.0, index - q * se), min(100.0, index + q * se))
            items.append((key, index, *interval))
        state_values = [states[c]["index"] for c in codes if c in states and states[c]["index"] is not None]
        budget_values = [v[c] for v in [ctx.extra().get("budget_transparency", {})] for c in codes if c in v]
        comps = [ctx.composite(c)["index"] for c in codes]
        comps = [c for c in comps if c is not None]
        name_ky, name_ru = names.get(key, (key, key))
        rows.append({"code": key, "level": level, "name_ky": name_ky, "name_ru": name_ru,
                     "municipalities": len(codes), "published": len(published),
                     "n": sum(t.n for t in tracks), "n_quarantined": sum(t.n_quarantined for t in tracks),
                     "citizen_index": index, "citizen_interval": interval,
                     "state_index": sum(state_values) / len(state_values) if state_values else None,
                     "state_evaluated": len(state_values),
                     "budget_transparency_index": sum(budget_values) / len(budget_values) if budget_values else None,
                     "budget_transparency_assessed": len(budget_values),
                     "composite_index": sum(comps) / len(comps) if comps else None})
    tiers = mth.tiers(items)
    out = []
    for row in sorted(rows, key=lambda r: r["code"]):
        out.append({**row, "citizen_index": _r(params, row["citizen_index"]),
                    "citizen_interval": _r(params, row["citizen_interval"]) if row["citizen_interval"] else None,
                    "state_index": _r(params, row["state_index"]),
                    "budget_transparency_index": _r(params, row["budget_transparency_index"]), "composite_index": _r(params, row["composite_index"]),
                    "tier": tiers.get(row["code"]), "reason": None if row["citizen_index"] is not None else NOT_ENOUGH})
    return out

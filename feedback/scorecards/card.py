"""The version-2 scorecard of one municipality and period: live numbers from its own aggregates,
placed in the shared peer context (context.py), tracks from the registry (tracks.py)."""
import math
from statistics import NormalDist

import numpy as np

from ..transparency.queries import priorities, priorities_json
from . import area_inputs, queries, scoring, tracks
from . import context as shared
from . import methodology as mth
from .scorecard import NO_EVALUATIONS, NO_TRACK, NOT_AVAILABLE, NOT_ENOUGH, composite_of, state_tracks

CLASSES = {1: "above", 0: "indistinguishable", -1: "below"}


def _r(params, value, kind: str = "index"):
    decimals = params["rounding"]["index_decimals" if kind == "index" else "mean_decimals"]
    if value is None:
        return None
    if isinstance(value, tuple | list):
        return [mth.rounded(float(v), decimals) for v in value]
    return mth.rounded(float(value), decimals)


def citizen_live(code: str, period: int, params, ctx: dict, verified: bool = False, channel: str | None = None) -> dict:
    """The citizen track of one municipality, computed now from its own aggregates and the shared
    context's subject effects and peer-group statistics (full precision; rounded by ``build``).

    ``channel``: only the ratings that came by that channel (channel_aggregate). The peer context is
    made of all channels, so one channel's index is the unit's own direct estimate (adjusted for the
    basket of subjects rated), neither shrunk toward its peers nor placed among them."""
    c = scoring.Constants.from_params(params.values)
    rows = queries.unit_channel_aggregates(code, period, channel) if channel else queries.unit_aggregates(code, period)
    min_addresses = int(params.values.get("min_distinct_addresses", 1))
    addresses, all_addresses = ({}, None)
    if min_addresses > 1:
        addresses, all_addresses = (queries.channel_unit_addresses(code, period, channel) if channel
                                    else queries.unit_addresses(code, period))
    subjects = []
    n = total = total_sq = adjust = 0.0
    n_all = n_verified = n_quarantined = 0
    for r in rows:
        rn, rt, rq = ((r.n_verified, r.total_verified, r.total_sq_verified) if verified else (r.n, r.total, r.total_sq))
        n, total, total_sq = n + rn, total + rt, total_sq + rq
        adjust += rn * ctx["subject_effects"].get(r.subject_code, 0.0)
        n_all, n_verified, n_quarantined = n_all + r.n, n_verified + r.n_verified, n_quarantined + r.n_quarantined
        published = rn >= c.min_sample and (min_addresses <= 1 or addresses.get(r.subject_code, 0) >= min_addresses)
        interval = None
        if published:
            v = scoring.direct_variance(np.array([rn]), np.array([rt]), np.array([rq]), c.variance_floor,
                                        c.small_sample_prior)
            mean = rt / rn
            low, high = scoring.published_interval(np.array([mean]), v, np.array([rn]), np.array([mean]), c.confidence)
            interval = (scoring.index_from_mean(low[0]), scoring.index_from_mean(high[0]))
        subjects.append({"code": r.subject_code, "n": int(rn), "mean": rt / rn if rn else None,
                         "index": scoring.index_from_mean(rt / rn) if published else None, "interval": interval,
                         "published": published, "reason": None if published else NOT_ENOUGH,
                         "n_quarantined": int(r.n_quarantined), "n_verified": int(r.n_verified),
                         "distribution": [int(r.n1), int(r.n2), int(r.n3), int(r.n4), int(r.n5)],
                         "subject_effect": ctx["subject_effects"].get(r.subject_code)})
    track = {"n": int(n), "mean": total / n if n else None, "n_accepted": n_all, "n_verified": n_verified,
             "n_quarantined": n_quarantined, "subjects": subjects, "index": None, "interval": None,
             "reason": NOT_ENOUGH, "distribution": [sum(s["distribution"][k] for s in subjects) for k in range(5)]}
    if n < c.min_sample or (all_addresses is not None and all_addresses < min_addresses):
        return track
    theta = (total - adjust) / n
    cl = None if verified or channel else queries.unit_clusters(code, period)
    cluster = None if cl is None else tuple(np.array([x], float) for x in cl)
    unit = ctx["units"].get(code, {})
    group = unit.get("group") or shared.peer_group(ctx, code, queries.current_units().get(code))
    stats = ctx["groups"].get(group) if group else None
    if channel or (stats is not None and (stats.get("mu") is None or not stats.get("precision"))):
        stats = None  # no published peer in the group: the unit's own direct estimate
    if stats is None:
        stats_arrays = None
    else:
        stats_arrays = {k: np.array([stats[k]], float) for k in ("mu", "tau2", "precision", "var_tau2")}
    one = scoring.score_units(np.array([n]), np.array([total]), np.array([total_sq]), np.array([-1]), 0, c,
                              theta=np.array([theta]), cluster=cluster)
    v = one.v
    if stats_arrays is not None:
        est, mse, gamma = scoring.shrink(np.array([theta]), v, stats_arrays["mu"], stats_arrays["tau2"],
                                         stats_arrays["precision"], stats_arrays["var_tau2"])
        low, high = scoring.published_interval(np.array([theta]), v, np.array([n]), est, c.confidence)
    else:
        est, mse, gamma, low, high = one.est, one.mse, one.gamma, one.low, one.high
    track.update(index=scoring.index_from_mean(est[0]), interval=(scoring.index_from_mean(low[0]),
                                                                     scoring.index_from_mean(high[0])),
                 reason=None, theta=float(theta), v=float(v[0]), est=float(est[0]), mse=float(mse[0]),
                 gamma=float(gamma[0]), group=group or None, peer=stats,
                 respondents=int(cl[0]) if cl else None, n_subjects=sum(1 for s in subjects if s["n"]))
    return track


def funnel(ctx: dict, citizen: dict, params) -> dict | None:
    """Coordinates of the funnel plot (SVG user units, x: log number of ratings over 30–315; y: the
    0–100 index) for the unit's peer group: peers' direct levels, the mean and the limits
    μ ± z_K √(s²/n + 1/Σw) with z_K = Φ⁻¹(1 − α/(2K)) and s² the group's median of n·v."""
    group = citizen.get("group")
    stats = ctx["groups"].get(group or "")
    if not stats or stats.get("mu") is None or not stats.get("precision"):
        return None  # a group with no published peer (all too small, or set aside by the address rule)
    peers = [u for u in ctx["units"].values() if u["group"] == group and u["est"] is not None]
    if not peers:
        return None
    ns = [u["n"] for u in peers] + [citizen["n"]]
    n_min, n_max = min(ns), max(max(ns), min(ns) + 1)
    span = math.log(n_max) - math.log(n_min)

    def x(n):
        return round(30 + (math.log(n) - math.log(n_min)) / span * 285, 1)

    def y(level):
        return round(min(100.0, max(0.0, scoring.index_from_mean(level))), 1)

    k = max(int(stats["k"]), 1)
    z = NormalDist().inv_cdf(1 - params["position"]["alpha"] / (2 * k))
    s2 = float(np.median([u["v"] * u["n"] for u in peers]))
    grid = [math.exp(math.log(n_min) + span * i / 16) for i in range(17)]
    mu = stats["mu"]
    half = [z * math.sqrt(s2 / n + 1 / stats["precision"]) for n in grid]
    return {"mean": y(mu), "n_min": n_min, "n_max": n_max,
            "upper": [[x(n), y(mu + h)] for n, h in zip(grid, half, strict=True)],
            "lower": [[x(n), y(mu - h)] for n, h in zip(grid, half, strict=True)],
            "peers": [[x(u["n"]), y(u["theta"])] for u in peers],
            "me": [x(citizen["n"]), y(citizen["theta"])]}


def composition(code: str, period: int, channel: str | None = None) -> dict:
    """Shares of the accepted ratings (of one channel's when given) by sex and age band (unknown
    counted apart), from the composition aggregates kept with every rating."""
    counts = queries.unit_composition(code, period, channel)
    result = {}
    for column in ("sex", "age_band"):
        found: dict[str, int] = {}
        for value, n in counts.get(column, {}).items():
            found[value or "unknown"] = found.get(value or "unknown", 0) + n
        total = sum(found.values())
        result[column] = {k: mth.rounded(v / total, 3) for k, v in sorted(found.items())} if total else {}
    return result


def trend(code: str, period: int, params, current: dict, verified: bool, channel: str | None = None) -> dict:
    previous = citizen_live(code, period - 1, params, shared.get(period - 1, params, verified), verified, channel)
    direction = change = None
    if current["index"] is not None and previous["index"] is not None:
        # Difference test at the published level on the basket-adjusted estimates.
        z = NormalDist().inv_cdf(0.5 + params["confidence"] / 2)
        diff = current["est"] - previous["est"]
        se = math.sqrt(current["mse"] + previous["mse"])
        change = scoring.index_from_mean(current["est"]) - scoring.index_from_mean(previous["est"])
        direction = "up" if diff > z * se else "down" if diff < -z * se else "no_clear_change"
    return {"previous_period": period - 1, "previous_index": previous["index"], "previous_interval": previous["interval"],
            "previous_n": previous["n"], "change": change, "direction": direction}


def build(municipality, period: int, params, verified: bool = False, channel: str | None = None) -> dict:
    """The scorecard as plain data (the API's JSON; the page renders the same numbers), rounded once.
    ``channel``: the citizen track of that channel's ratings only (see ``citizen_live``): no position
    among peers, and no criteria (their answers are not kept per channel)."""
    ctx = shared.get(period, params, verified)
    code = municipality.code
    citizen = citizen_live(code, period, params, ctx, verified, channel)
    state = state_tracks(queries.state_indicator_scores(period, code), params).get(code)
    extra = {key: tracks.compute(key, municipality, period, params) for key in ("budget_transparency", "responsiveness")}
    comp = composite_of(params, citizen["index"], citizen["interval"], state, extra)
    unit = ctx["units"].get(code, {})
    position = None
    if citizen["index"] is not None and not channel:
        cls = unit.get("class")
        group = ctx["groups"].get(citizen["group"] or "")
        position = {"class": CLASSES.get(cls) if cls is not None else None,
                    "peer_group": citizen["group"],
                    "peer_mean": _r(params, scoring.index_from_mean(group["mu"])) if group and group["mu"] is not None else None,
                    "peer_units": group["k"] if group else None,
                    "rank_region": unit.get("rank", {}).get("region"),
                    "rank_nation": unit.get("rank", {}).get("nation"),
                    "as_of_counter": ctx["counter"], "current": ctx["current"],
                    "funnel": funnel(ctx, citizen, params)}
    powers = []
    for power, entry in sorted((state or {"powers": {}})["powers"].items()):
        powers.append({"code": power, "agency": entry["agency"], "index": _r(params, entry["index"]),
                       "state_support_index": _r(params, entry["support_index"]),
                       "indicators": [{**i, "index": _r(params, i["index"])} for i in entry["indicators"]]})
    criteria = []
    for criterion, n, total, total_sq, n_unknown in ([] if channel else queries.criterion_profile(code, period)):
        published = n >= params.min_sample
        interval = None
        if published:
            v = scoring.direct_variance(np.array([n]), np.array([total]), np.array([total_sq]),
                                        params["variance_floor"], params["small_sample_prior"])
            m = np.array([total / n])
            low, high = scoring.published_interval(m, v, np.array([n]), m, params["confidence"])
            interval = (scoring.index_from_mean(low[0]), scoring.index_from_mean(high[0]))
        criteria.append({"code": criterion, "n": n, "n_unknown": n_unknown, "mean": _r(params, total / n if n else None, "mean"),
                         "published": published,
                         "index": _r(params, scoring.index_from_mean(total / n)) if published else None,
                         "interval": _r(params, interval)})
    published_criteria = [cr for cr in criteria if cr["published"]]
    lowest = min(published_criteria, key=lambda cr: cr["index"])["code"] if len(published_criteria) >= 2 else None
    for cr in criteria:
        cr["lowest"] = cr["code"] == lowest
    t = trend(code, period, params, citizen, verified, channel)
    card = {
        "municipality": {"code": code, "name_ky": municipality.name_ky, "name_ru": municipality.name_ru,
                         "kind": municipality.kind, "region_code": municipality.region_code,
                         "district_code": municipality.district_code},
        "period": period,
        "methodology_version": params.version,
        "verified_only": verified,
        "min_sample": params.min_sample,
        "confidence": params["confidence"],
        "citizen": {
            "n": citizen["n"], "mean": _r(params, citizen["mean"], "mean"), "index": _r(params, citizen["index"]),
            "interval": _r(params, citizen["interval"]), "reason": citizen["reason"],
            "made_of": {"ratings": citizen["n"], "subjects": sum(1 for s in citizen["subjects"] if s["n"]),
                        "respondents": citizen.get("respondents")},
            "raw_index": _r(params, scoring.index_from_mean(citizen["mean"])) if citizen["index"] is not None else None,
            "adjusted_index": _r(params, scoring.index_from_mean(citizen["theta"])) if citizen["index"] is not None else None,
            "shrinkage_weight": mth.rounded(citizen["gamma"], 3) if citizen["index"] is not None else None,
            "n_accepted": citizen["n_accepted"], "n_verified": citizen["n_verified"],
            "verified_share": mth.rounded(citizen["n_verified"] / citizen["n_accepted"], 3) if citizen["n_accepted"] else None,
            "n_quarantined": citizen["n_quarantined"],
            "distribution": citizen["distribution"],
            "weighting": "ratings_basket_adjusted",
            "subjects": [{**s, "mean": _r(params, s["mean"], "mean"), "index": _r(params, s["index"]),
                          "interval": _r(params, s["interval"]),
                          "subject_effect": None if s["subject_effect"] is None else mth.rounded(s["subject_effect"], 3)}
                         for s in citizen["subjects"]],
            "criteria": criteria,
            "composition": composition(code, period, channel),
            "trend": {"previous_period": t["previous_period"], "previous_index": _r(params, t["previous_index"]),
                      "previous_interval": _r(params, t["previous_interval"]), "change": _r(params, t["change"]),
                      "direction": t["direction"]},
        },
        "state": {"index": _r(params, state["index"]) if state else None, "interval": None,
                  "reason": None if state and state["index"] is not None else NO_EVALUATIONS, "powers": powers},
        **{key: {**result.as_json(), "index": _r(params, result.index), "interval": _r(params, result.interval),
                 "reason": result.reason if result.index is None else None} for key, result in extra.items()},
        "budget_priorities": priorities_json(priorities(code, period, params.min_sample, params.z)),
        "composite": {"index": _r(params, comp["index"]), "interval": _r(params, comp["interval"]),
                      "reason": comp["reason"],
                      "components": [{"track": cc["track"], "weight": mth.rounded(cc["weight"], 3),
                                      "index": _r(params, cc["index"])} for cc in comp["components"]],
                      "missing": comp.get("missing", list(mth.TRACKS))},
        "position": position,
    }
    if channel:  # the default card stays as it was: the key only where one channel is shown
        card = {**card, "channel": channel}
    return card


__all__ = ["build", "citizen_live", "NOT_AVAILABLE", "NO_TRACK"]


def area_key(unit, level: str) -> str:
    if level == "region":
        return unit.region_code
    if level == "district":
        return unit.district_code or unit.region_code
    return "urban" if unit.kind == "city" else "rural"


def _extra_columns(extra: dict[str, dict[str, float]], members: list[str]) -> dict:
    """Each registered track's unweighted mean over the area's municipalities that have an index
    (``<key>_index``) and how many have one (``<key>_assessed``)."""
    columns = {}
    for key, values in extra.items():
        found = [values[m] for m in members if m in values]
        columns[f"{key}_index"] = sum(found) / len(found) if found else None
        columns[f"{key}_assessed"] = len(found)
    return columns


def compare_areas(level: str, period: int, params, names: dict) -> list[dict]:
    """One row per region, district or urban/rural: direct estimates from ALL accepted ratings of
    the area's municipalities, weighting residents' ratings equally (each rating counts once, so a
    region is what its residents said, not an average of municipalities of very different sizes).
    Variance Σ n_i² v_i / N² (municipalities independent, respondents as clusters within them);
    interval θ ± t_{N−1} √V; ``group`` numbers the chains of overlapping intervals (1 = highest),
    so two areas whose intervals overlap are never in different groups.
    Rows: code, level, names, municipalities, n, index, interval, group (and the v1 row's keys).

    Its cost does not grow with the ratings: one row per municipality from the aggregates (summed in
    the database), the respondents' cluster sums kept beside them, and ``area_inputs.get``."""
    c = scoring.Constants.from_params(params.values)
    units = queries.current_units()
    clusters = queries.period_clusters(period)
    per_unit: dict[str, tuple[float, float, float]] = {}
    quarantined: dict[str, int] = {}
    for code, rn, rt, rq, r_quarantined in queries.period_unit_totals(period):
        if code not in units:
            continue
        per_unit[code] = (float(rn), float(rt), float(rq))
        quarantined[code] = int(r_quarantined)
    codes = [code for code, acc in per_unit.items() if acc[0] > 0]
    areas: dict[str, list[str]] = {}
    for code, unit in units.items():
        areas.setdefault(area_key(unit, level), []).append(code)
    n = np.array([per_unit[code][0] for code in codes], float)
    total = np.array([per_unit[code][1] for code in codes], float)
    total_sq = np.array([per_unit[code][2] for code in codes], float)
    cl = np.array([clusters.get(code, (0, 0, 0, 0)) for code in codes], float).reshape(-1, 4)
    v = scoring.direct_variance(n, total, total_sq, c.variance_floor, c.small_sample_prior,
                                *(cl[:, i] for i in range(4))) if len(codes) else np.zeros(0)
    position = {code: i for i, code in enumerate(codes)}
    state_index, extra = area_inputs.get(period, params)
    rows = []
    for key, members in sorted(areas.items()):
        idx = [position[code] for code in members if code in position]
        big_n = float(n[idx].sum()) if idx else 0.0
        index = interval = None
        if big_n >= c.min_sample:
            mean = float(total[idx].sum()) / big_n
            var = float((n[idx] ** 2 * v[idx]).sum()) / big_n**2
            t = scoring.t_quantile(0.5 + c.confidence / 2, int(big_n) - 1)
            index = scoring.index_from_mean(mean)
            interval = (max(0.0, scoring.index_from_mean(mean - t * var**0.5)),
                        min(100.0, scoring.index_from_mean(mean + t * var**0.5)))
        state_values = [state_index[m] for m in members if m in state_index]
        name_ky, name_ru = names.get(key, (key, key))
        rows.append({"code": key, "level": level, "name_ky": name_ky, "name_ru": name_ru,
                     "municipalities": len(members), "published": sum(1 for i in idx if n[i] >= c.min_sample),
                     "n": int(big_n), "n_quarantined": sum(quarantined.get(m, 0) for m in members),
                     "citizen_index": index, "citizen_interval": interval, "weighting": "ratings",
                     "state_index": sum(state_values) / len(state_values) if state_values else None,
                     "state_evaluated": len(state_values), "composite_index": None,
                     **_extra_columns(extra, members)})
    shown = [r for r in rows if r["citizen_index"] is not None]
    labels = scoring.overlap_components(np.array([r["citizen_interval"][0] for r in shown]),
                                        np.array([r["citizen_interval"][1] for r in shown]))
    groups = {r["code"]: int(label) + 1 for r, label in zip(shown, labels, strict=True)}
    return [{**r, "citizen_index": _r(params, r["citizen_index"]), "citizen_interval": _r(params, r["citizen_interval"]),
             "state_index": _r(params, r["state_index"]),
             **{k: _r(params, v) for k, v in r.items() if k.endswith("_index") and k not in ("state_index", "citizen_index")},
             "tier": groups.get(r["code"]), "group": groups.get(r["code"]),
             "index": _r(params, r["citizen_index"]), "interval": _r(params, r["citizen_interval"]),
             "reason": None if r["citizen_index"] is not None else NOT_ENOUGH} for r in rows]

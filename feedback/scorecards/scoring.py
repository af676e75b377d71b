"""The arithmetic of methodology version 2, pure (no Flask, no database): numpy arrays in, arrays out.

Everything here works on one period's aggregates, vectorised, so the whole country is scored in one
pass. The public methodology page (templates/scorecards/methodology_*.html) states each formula; the
names below are the symbols used there.

- Scale: a 1–5 mean m is the index (m − 1) / 4 × 100 (``index_from_mean``), the one home of the scale.
- Subject basket (``subject_effects``): the additive model y = a_i + b_j + e for a rating of
  municipality i on subject j, fitted by weighted least squares over every accepted rating of the
  period (backfitting on the cell sums; b centred so that its rating-weighted mean is 0). A
  municipality's adjusted level is θ̂_i = (T_i − Σ_j n_ij b_j) / n_i: its plain mean minus the
  effects of the subjects its residents happened to rate.
- Direct variance v_i: the larger of the independent-ratings variance s_i² / n_i and the
  cluster-robust (respondents as clusters) variance m/(m−1) · Σ_r (Y_r − n_r ȳ_i)² / n_i², with
  s_i² = (SS_i + κ (ȳ_i−1)(5−ȳ_i)) / (n_i − 1 + κ) (κ = ``small_sample_prior``: bounded, skewed
  answers from a few people understate their spread) floored at ``variance_floor`` (ten identical
  answers do not claim certainty).
- Shrinkage (``fay_herriot``): θ̃_i = μ_g + γ_i (θ̂_i − μ_g), γ_i = τ² / (τ² + v_i), with the
  precision-weighted peer mean μ_g = Σ θ̂_i/(τ²+v_i) / Σ 1/(τ²+v_i) and τ² by Prasad–Rao moments
  (floored at ``tau2_floor``); the same v_i in the weight and in the MSE.
- MSE (Prasad–Rao): g1 + g2 + 2 g3 with g1 = γ v, g2 = (1−γ)² / Σ_k 1/(τ²+v_k),
  g3 = v² / (τ²+v)³ · 2 Σ_k (τ²+v_k)² / K².
- Interval (``published_interval``): the smallest interval that holds both the published estimate
  θ̃ and the direct interval θ̂ ± t_{n−1} √v: it keeps the promised coverage for every municipality,
  also one far from its peers (an EB posterior interval θ̃ ± z √MSE covers only on average over
  the group: 0.6 for a unit 2 sd from its peers), and it always contains the published number.
  √MSE is what the rank intervals draw with.
- Positions (``funnel``): a unit is above (below) its peer mean when (θ̂ − μ)/√(v + Var μ) exceeds
  Φ⁻¹(1 − α/(2K)) (Bonferroni over the K published units of the group); a unit whose interval
  overlaps a unit in another class is shown as indistinguishable (``consistent_classes``), so
  overlapping intervals never sit in different groups.
- Rank intervals (``rank_intervals``): 5th and 95th percentiles of each unit's rank over ``draws``
  draws from N(θ̃, MSE), a fixed seed, within the region and nationally.
"""
import math
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

DEFAULT_MIN_SAMPLE = 10


def index_from_mean(mean):
    """1–5 mean → 0–100 index (scalars or arrays)."""
    return (mean - 1) / 4 * 100


def mean_from_index(index):
    return index / 100 * 4 + 1


def t_quantile(p: float, df: int) -> float:
    """Student-t quantile by the Cornish–Fisher expansion (Abramowitz & Stegun 26.7.5); error below
    1e-3 for df ≥ 5 (small df come from a table at p = 0.95)."""
    table = {1: 6.314, 2: 2.920, 3: 2.353, 4: 2.132} if abs(p - 0.95) < 1e-9 else {}
    if df in table:
        return table[df]
    z = NormalDist().inv_cdf(p)
    if df > 10_000:
        return z
    v = float(df)
    return (z + (z**3 + z) / (4 * v) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * v**2)
            + (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / (384 * v**3)
            + (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / (92160 * v**4))


def t_quantiles(p: float, df: np.ndarray) -> np.ndarray:
    cache = {int(d): t_quantile(p, int(d)) for d in np.unique(df)}
    return np.array([cache[int(d)] for d in df], dtype=float)


def subject_effects(unit: np.ndarray, subject: np.ndarray, n: np.ndarray, total: np.ndarray,
                    units: int, subjects: int, tol: float = 1e-10, max_iter: int = 500) -> np.ndarray:
    """b_j of the additive model y = a_i + b_j + e (weighted least squares on the cells' counts and
    sums), centred: Σ_j N_j b_j = 0. Cells are (unit index, subject index, n, total)."""
    n = n.astype(float)
    total = total.astype(float)
    n_unit = np.bincount(unit, weights=n, minlength=units)
    n_subject = np.bincount(subject, weights=n, minlength=subjects)
    b = np.zeros(subjects)
    safe_unit = np.where(n_unit > 0, n_unit, 1)
    safe_subject = np.where(n_subject > 0, n_subject, 1)
    for _ in range(max_iter):
        a = np.bincount(unit, weights=total - n * b[subject], minlength=units) / safe_unit
        new_b = np.bincount(subject, weights=total - n * a[unit], minlength=subjects) / safe_subject
        new_b -= (n_subject * new_b).sum() / max(n_subject.sum(), 1)
        if np.max(np.abs(new_b - b), initial=0) < tol:
            b = new_b
            break
        b = new_b
    return b


def direct_variance(n, total, total_sq, floor: float, kappa: float = 1.0, respondents=None, cl_n_sq=None,
                    cl_y_sq=None, cl_ny=None):
    """v_i: the larger of s²/n and the cluster-robust variance (when cluster sums are given). s² is
    pulled toward the largest variance a 1–5 mean allows, (x̄−1)(5−x̄), with the weight of ``kappa``
    ratings — small samples of bounded, skewed answers understate their spread — and floored."""
    n = np.asarray(n, dtype=float)
    total = np.asarray(total, dtype=float)
    total_sq = np.asarray(total_sq, dtype=float)
    safe_n = np.where(n > 0, n, 1)
    ss = np.maximum(total_sq - total * total / safe_n, 0)
    mean = total / safe_n
    bound = np.maximum((mean - 1) * (5 - mean), 0)
    s2 = (ss + kappa * bound) / np.maximum(n - 1 + kappa, 1)
    v = np.maximum(s2, floor) / safe_n
    if respondents is not None:
        m = np.asarray(respondents, dtype=float)
        cl = np.maximum(np.asarray(cl_y_sq, float) - 2 * mean * np.asarray(cl_ny, float)
                        + mean * mean * np.asarray(cl_n_sq, float), 0)
        robust = np.where(m > 1, m / np.where(m > 1, m - 1, 1) * cl / (safe_n * safe_n), 0)
        v = np.maximum(v, robust)
    return v


def fay_herriot(theta: np.ndarray, v: np.ndarray, group: np.ndarray, groups: int, tau2_floor: float):
    """Per group: μ, τ², K, Σ 1/(τ²+v), Var(τ̂²) (Prasad–Rao moments). Units with group −1 are left out."""
    mu = np.full(groups, np.nan)
    tau2 = np.full(groups, np.nan)
    k = np.zeros(groups)
    precision = np.zeros(groups)
    var_tau2 = np.zeros(groups)
    inside = group >= 0
    g, th, vv = group[inside], theta[inside], v[inside]
    k = np.bincount(g, minlength=groups).astype(float)
    safe_k = np.where(k > 0, k, 1)
    plain = np.bincount(g, weights=th, minlength=groups) / safe_k
    ss = np.bincount(g, weights=(th - plain[g]) ** 2, minlength=groups)
    mean_v = np.bincount(g, weights=vv, minlength=groups) / safe_k
    tau2 = np.maximum((ss - mean_v * (k - 1)) / np.where(k > 1, k - 1, 1), tau2_floor)
    w = 1 / (tau2[g] + vv)
    precision = np.bincount(g, weights=w, minlength=groups)
    mu = np.bincount(g, weights=w * th, minlength=groups) / np.where(precision > 0, precision, 1)
    var_tau2 = 2 * np.bincount(g, weights=(tau2[g] + vv) ** 2, minlength=groups) / (safe_k * safe_k)
    mu[k == 0] = np.nan
    return {"mu": mu, "tau2": tau2, "k": k, "precision": precision, "var_tau2": var_tau2}


def shrink(theta, v, mu, tau2, precision, var_tau2):
    """θ̃ and its Prasad–Rao MSE for units with their group's statistics (arrays of the same shape)."""
    gamma = tau2 / (tau2 + v)
    est = mu + gamma * (theta - mu)
    g1 = gamma * v
    g2 = (1 - gamma) ** 2 / precision
    g3 = v * v / (tau2 + v) ** 3 * var_tau2
    return est, g1 + g2 + 2 * g3, gamma


def published_interval(theta, v, n, est, confidence: float):
    """Hull of the published estimate and the direct interval θ̂ ± t_{n−1}√v (1–5 scale)."""
    t = t_quantiles(0.5 + confidence / 2, np.maximum(np.asarray(n) - 1, 1))
    centre = theta
    low = np.minimum(est, centre - t * np.sqrt(v))
    high = np.maximum(est, centre + t * np.sqrt(v))
    return np.clip(low, 1, 5), np.clip(high, 1, 5)


def overlap_components(low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Labels of the connected chains of overlapping intervals (0 = highest chain)."""
    k = len(low)
    labels = np.zeros(k, dtype=int)
    if not k:
        return labels
    order = np.argsort(-high, kind="stable")
    label, reach = 0, low[order[0]]
    for i in order:
        if high[i] < reach:
            label += 1
            reach = low[i]
        else:
            reach = min(reach, low[i])
        labels[i] = label
    return labels


def funnel(theta, v, mu, precision, k, alpha: float):
    """+1 above, −1 below, 0 indistinguishable from the peer mean; Bonferroni over K units."""
    crit = np.array([NormalDist().inv_cdf(1 - alpha / (2 * max(int(kk), 1))) for kk in np.atleast_1d(k)])
    z = (theta - mu) / np.sqrt(v + 1 / precision)
    return np.where(z > crit, 1, np.where(z < -crit, -1, 0))


def consistent_classes(classes: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Classes demoted to 0 wherever a chain of overlapping intervals holds more than one class."""
    labels = overlap_components(low, high)
    out = classes.copy()
    for label in np.unique(labels):
        members = labels == label
        if len(np.unique(classes[members])) > 1:
            out[members] = 0
    return out


def rank_intervals(est: np.ndarray, sd: np.ndarray, level: float, draws: int, seed: int):
    """(low, high) 1-based ranks (1 = best) covering ``level`` of each unit's simulated rank."""
    k = len(est)
    if k == 0:
        return np.zeros(0, int), np.zeros(0, int)
    rng = np.random.default_rng(seed)
    sample = (est + sd * rng.standard_normal((draws, k))).astype(np.float32)
    # The rank of each unit in each draw: one sort, then its inverse permutation by a scatter.
    order = np.argsort(-sample, axis=1)
    ranks = np.empty((draws, k), dtype=np.int32)
    ranks[np.arange(draws)[:, None], order] = np.arange(1, k + 1, dtype=np.int32)
    ranks.sort(axis=0)
    tail = (1 - level) / 2
    low = ranks[int(math.floor(tail * (draws - 1)))]
    high = ranks[int(math.ceil((1 - tail) * (draws - 1)))]
    return low.astype(int), high.astype(int)


def respondent_cluster_terms(n_r: float, y_r: float) -> tuple[float, float, float, float]:
    """A respondent's contribution (1, n_r², Y_r², n_r·Y_r) to the cluster sums of a municipality."""
    if n_r <= 0:
        return 0.0, 0.0, 0.0, 0.0
    return 1.0, n_r * n_r, y_r * y_r, n_r * y_r


def ceil_int(x: float) -> int:
    return int(math.ceil(x))


@dataclass(frozen=True)
class Constants:
    """The version-2 constants the arithmetic needs (from a methodology's parameters)."""

    min_sample: int = DEFAULT_MIN_SAMPLE
    confidence: float = 0.90
    variance_floor: float = 0.25
    small_sample_prior: float = 1.0
    tau2_floor: float = 0.0001
    min_peers: int = 10
    alpha: float = 0.10
    rank_draws: int = 400
    rank_level: float = 0.90

    @classmethod
    def from_params(cls, values: dict) -> "Constants":
        return cls(min_sample=int(values["min_sample"]), confidence=float(values["confidence"]),
                   variance_floor=float(values["variance_floor"]),
                   small_sample_prior=float(values["small_sample_prior"]),
                   tau2_floor=float(values["shrinkage"]["tau2_floor"]),
                   min_peers=int(values["shrinkage"]["min_peers"]), alpha=float(values["position"]["alpha"]),
                   rank_draws=int(values["position"]["rank_draws"]),
                   rank_level=float(values["position"]["rank_level"]))


@dataclass
class UnitScores:
    """Per unit (arrays): direct level θ̂ and variance v; published estimate θ̃, MSE, weight γ and
    interval (NaN where the unit is not published); its group's μ, τ², K."""

    theta: np.ndarray
    v: np.ndarray
    est: np.ndarray
    mse: np.ndarray
    gamma: np.ndarray
    low: np.ndarray
    high: np.ndarray
    mu: np.ndarray
    tau2: np.ndarray
    k: np.ndarray
    precision: np.ndarray


def score_units(n, total, total_sq, group, groups: int, c: Constants, theta=None, cluster=None,
                eligible=None) -> UnitScores:
    """Score every unit of a period at once. ``group`` is the peer group index of each unit (−1: none);
    units below the minimum sample — or not ``eligible`` (e.g. too few distinct addresses) — are
    neither published nor part of their group's statistics.
    ``cluster`` is (respondents, Σ n_r², Σ Y_r², Σ n_r Y_r) per unit, when known."""
    n = np.asarray(n, dtype=float)
    total = np.asarray(total, dtype=float)
    safe_n = np.where(n > 0, n, 1)
    theta = total / safe_n if theta is None else np.asarray(theta, dtype=float)
    extra = {} if cluster is None else dict(zip(("respondents", "cl_n_sq", "cl_y_sq", "cl_ny"), cluster, strict=True))
    v = direct_variance(n, total, total_sq, c.variance_floor, c.small_sample_prior, **extra)
    published = n >= c.min_sample
    if eligible is not None:
        published &= np.asarray(eligible, dtype=bool)
    g = np.where(published, np.asarray(group), -1)
    fh = fay_herriot(theta, v, g, max(groups, 1), c.tau2_floor)
    nan = np.full(len(n), np.nan)
    gi = np.where(g >= 0, g, 0)
    mu, tau2, k = np.where(g >= 0, fh["mu"][gi], nan), np.where(g >= 0, fh["tau2"][gi], nan), np.where(g >= 0, fh["k"][gi], 0)
    precision = np.where(g >= 0, fh["precision"][gi], nan)
    var_tau2 = np.where(g >= 0, fh["var_tau2"][gi], nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        est, mse, gamma = shrink(theta, v, mu, tau2, precision, var_tau2)
        low, high = published_interval(theta, v, n, est, c.confidence)
    alone = published & (np.asarray(group) < 0)  # no peer group large enough: the direct estimate
    est[alone], mse[alone], gamma[alone] = theta[alone], v[alone], 1.0
    if alone.any():
        low[alone], high[alone] = published_interval(theta[alone], v[alone], n[alone], theta[alone], c.confidence)
    off = ~published
    for array in (est, mse, gamma, low, high):
        array[off] = np.nan
    return UnitScores(theta, v, est, mse, gamma, low, high, mu, tau2, k, precision)

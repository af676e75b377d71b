"""Coverage of the version-2 interval, simulated (seeded; about two seconds).

Each case is a peer group of 30 municipalities (true levels around 3.4 with sd 0.4 on the 1–5
scale, 10–120 ratings each) plus the municipality under test, scored by the real version-2
arithmetic (direct variance, Fay–Herriot shrinkage, published interval). Promise: 90 % ± 2 on
average over the cells and at least 0.88 in every cell. Run with ``-s`` to see the table.
"""
from math import erf, sqrt

import numpy as np

from feedback.scorecards import methodology as mth
from feedback.scorecards import scoring

PARAMS = mth.Params(2, mth.validate({"method": 2}))
SCORES = np.arange(1, 6)
SHAPES = {"symmetric": [.10, .20, .40, .20, .10], "skewed": [.03, .05, .12, .35, .45],
          "bimodal": [.35, .10, .10, .10, .35], "92% fives": [.01, .01, .02, .04, .92]}
SIZES = (10, 20, 50, 200)
PEERS, REPS = 30, 2000


def _latent(centres: np.ndarray) -> np.ndarray:
    """1–5 answer shares from a latent normal (sd 1) around each centre, cut at 1.5 … 4.5."""
    cdf = np.vectorize(lambda x: 0.5 * (1 + erf(x / sqrt(2))))
    cuts = cdf(np.array([1.5, 2.5, 3.5, 4.5])[None, :] - centres[:, None])
    return np.diff(np.hstack([np.zeros((len(centres), 1)), cuts, np.ones((len(centres), 1))]), axis=1)


def coverage(rng, shape: str, n: int) -> float:
    peers = _latent(rng.normal(3.4, 0.4, REPS * PEERS)).reshape(REPS, PEERS, 5)
    if shape == "2 sd from peers":
        target = _latent(3.4 + 0.8 * np.where(rng.random(REPS) < 0.5, 1, -1))
    else:
        target = np.tile(SHAPES[shape], (REPS, 1))
    shares = np.concatenate([target[:, None, :], peers], axis=1).reshape(-1, 5)
    sizes = np.concatenate([np.full((REPS, 1), n), rng.integers(10, 121, (REPS, PEERS))], axis=1).ravel()
    counts = rng.multinomial(sizes, shares)
    total, total_sq = counts @ SCORES, counts @ (SCORES * SCORES)
    result = scoring.score_units(sizes, total, total_sq, np.repeat(np.arange(REPS), PEERS + 1), REPS,
                                 scoring.Constants.from_params(PARAMS.values))
    first = np.arange(REPS) * (PEERS + 1)
    truth = target @ SCORES
    return float(np.mean((result.low[first] <= truth) & (truth <= result.high[first])))


def test_coverage_table():
    rng = np.random.default_rng(20261202)
    table = {(shape, n): coverage(rng, shape, n) for shape in (*SHAPES, "2 sd from peers") for n in SIZES}
    print("\ncoverage of the 90 % interval (version 2), " + str(REPS) + " simulated groups per cell")
    print(f"{'':18}" + "".join(f"n={n:<7}" for n in SIZES))
    for shape in (*SHAPES, "2 sd from peers"):
        print(f"{shape:18}" + "".join(f"{table[shape, n]:<9.3f}" for n in SIZES))
    average = sum(table.values()) / len(table)
    print(f"average {average:.3f}")
    assert abs(average - 0.90) <= 0.02, average
    assert min(table.values()) >= 0.88, table

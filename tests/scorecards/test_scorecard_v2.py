"""Version 2: known ratings in, every number of the scorecard JSON checked against a computation
written here independently (least squares by numpy.linalg.lstsq on the single ratings, moments and
formulas from the methodology page, t quantiles from printed tables).

Twelve aiyl aimaks of Issyk-Kul region: enough (≥ 10 published) to form the region × kind peer group.
Each has 10–15 ratings of drinking water, and some residents also rated the information service,
so the subject basket and the respondent clusters both matter."""
import math
import random
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pytest
from sqlalchemy import select

from feedback.territory.models import Municipality
from tests.scorecards.helpers import rate, respondent

YEAR = 2017
T90 = {9: 1.833113, 10: 1.812461, 11: 1.795885, 12: 1.782288, 13: 1.770933, 14: 1.761310, 15: 1.753050,
       16: 1.745884, 17: 1.739607, 18: 1.734064, 19: 1.729133, 20: 1.724718, 21: 1.720743, 22: 1.717144,
       23: 1.713872, 24: 1.710882, 25: 1.708141, 26: 1.705618, 27: 1.703288, 28: 1.701131, 29: 1.699127}


def r1(x):
    return float(Decimal(repr(float(x))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def idx(m):
    return (m - 1) / 4 * 100


@pytest.fixture
def world(session):
    region = session.get(Municipality, "41702205805000").region_code  # Issyk-Kul
    codes = list(session.scalars(select(Municipality.code).where(
        Municipality.region_code == region, Municipality.kind == "aiyl_aimak", Municipality.valid_to.is_(None))
        .order_by(Municipality.code).limit(12)))
    assert len(codes) == 12
    rng = random.Random(8)
    ratings = []  # (unit, subject, respondent key, score)
    for u, code in enumerate(codes):
        level = 2.2 + u * 0.2
        for k in range(10 + u % 6):
            who = respondent(verified=k % 3 == 0)
            water = min(5, max(1, round(level + rng.gauss(0, 1))))
            rate(who, code, "LI-WATER", water, YEAR)
            ratings.append((u, 0, (u, k), water))
            if k % 2 == 0:
                info = min(5, max(1, round(level + 0.8 + rng.gauss(0, 1))))
                rate(who, code, "MS-INFO", info, YEAR)
                ratings.append((u, 1, (u, k), info))
    return codes, ratings


def expected(codes, ratings):
    """The version-2 numbers of every unit, computed here from the single ratings."""
    k = len(codes)
    y = np.array([r[3] for r in ratings], float)
    x = np.zeros((len(ratings), k + 1))
    for i, (u, s, _, _) in enumerate(ratings):
        x[i, u] = 1
        x[i, k] = 1.0 if s == 1 else 0.0
    coef, *_ = np.linalg.lstsq(x, y, rcond=None)
    d = coef[k]  # information − water
    n_s = np.array([sum(1 for r in ratings if r[1] == s) for s in (0, 1)], float)
    b = np.array([-d * n_s[1] / n_s.sum(), d * n_s[0] / n_s.sum()])  # centred: Σ N_j b_j = 0
    out = []
    for u in range(k):
        mine = [r for r in ratings if r[0] == u]
        scores = np.array([r[3] for r in mine], float)
        n = len(mine)
        mean = scores.mean()
        theta = (scores.sum() - sum(b[r[1]] for r in mine)) / n
        ss = ((scores - mean) ** 2).sum()
        s2 = max((ss + 1.0 * (mean - 1) * (5 - mean)) / (n - 1 + 1.0), 0.25)
        clusters = {}
        for r in mine:
            clusters.setdefault(r[2], []).append(r[3])
        m = len(clusters)
        robust = m / (m - 1) * sum((sum(c) - len(c) * mean) ** 2 for c in clusters.values()) / n**2
        v = max(s2 / n, robust)
        out.append({"n": n, "mean": mean, "theta": theta, "v": v, "dist": [int((scores == s).sum()) for s in range(1, 6)]})
    theta = np.array([o["theta"] for o in out])
    v = np.array([o["v"] for o in out])
    tau2 = max((((theta - theta.mean()) ** 2).sum() - v.mean() * (k - 1)) / (k - 1), 0.0001)
    w = 1 / (tau2 + v)
    mu = (w * theta).sum() / w.sum()
    var_tau2 = 2 * ((tau2 + v) ** 2).sum() / k**2
    for o, vi, th in zip(out, v, theta, strict=True):
        gamma = tau2 / (tau2 + vi)
        est = mu + gamma * (th - mu)
        o["gamma"], o["est"] = gamma, est
        o["mse"] = gamma * vi + (1 - gamma) ** 2 / w.sum() + 2 * vi * vi / (tau2 + vi) ** 3 * var_tau2
        half = T90[o["n"] - 1] * math.sqrt(vi)
        o["interval"] = (max(0, idx(min(est, th - half))), min(100, idx(max(est, th + half))))
    return out, mu, b


def test_every_number_of_the_v2_scorecard(app, client, world):
    codes, ratings = world
    out, mu, b = expected(codes, ratings)
    for code, o in zip(codes, out, strict=True):
        body = client.get(f"/api/v1/municipalities/{code}/scorecard?period={YEAR}").get_json()
        assert body["methodology_version"] == 2
        c = body["citizen"]
        assert c["n"] == o["n"] and c["mean"] == float(Decimal(repr(float(o["mean"]))).quantize(Decimal("0.01"), ROUND_HALF_UP))
        assert c["distribution"] == o["dist"]
        assert c["raw_index"] == r1(idx(o["mean"]))
        assert c["adjusted_index"] == r1(idx(o["theta"]))
        assert c["index"] == r1(idx(o["est"]))
        assert c["interval"] == [r1(o["interval"][0]), r1(o["interval"][1])]
        assert c["shrinkage_weight"] == float(Decimal(repr(float(o["gamma"]))).quantize(Decimal("0.001"), ROUND_HALF_UP))
        assert c["made_of"]["ratings"] == o["n"] and c["made_of"]["subjects"] == 2
        assert c["made_of"]["respondents"] == len({r[2] for r in ratings if r[0] == codes.index(code)})
        effects = {s["code"]: s["subject_effect"] for s in c["subjects"]}
        assert effects["LI-WATER"] == pytest.approx(b[0], abs=1e-3) and effects["MS-INFO"] == pytest.approx(b[1], abs=1e-3)
        water = next(s for s in c["subjects"] if s["code"] == "LI-WATER")
        scores = [r[3] for r in ratings if r[0] == codes.index(code) and r[1] == 0]
        assert water["n"] == len(scores) and water["mean"] == float(Decimal(repr(sum(scores) / len(scores))).quantize(Decimal("0.01"), ROUND_HALF_UP))
        position = body["position"]
        assert position["peer_group"].endswith(":aiyl_aimak") and position["peer_units"] == 12
        assert position["peer_mean"] == r1(idx(mu))
        low, high, total = position["rank_region"]
        assert 1 <= low <= high <= total == 12
        assert position["class"] in ("above", "indistinguishable", "below")
        assert abs(sum(body["citizen"]["composition"]["sex"].values()) - 1) < 0.01
    # A new rating shows on the very next request (n, distribution and the index it moves).
    before = client.get(f"/api/v1/municipalities/{codes[0]}/scorecard?period={YEAR}").get_json()["citizen"]
    rate(respondent(), codes[0], "LI-WATER", 5, YEAR)
    after = client.get(f"/api/v1/municipalities/{codes[0]}/scorecard?period={YEAR}").get_json()["citizen"]
    assert after["n"] == before["n"] + 1 and after["distribution"][4] == before["distribution"][4] + 1
    assert after["index"] > before["index"]


def test_region_and_urban_rural_comparisons_are_direct_estimates(app, client, world):
    codes, ratings = world
    region = app.extensions["sqlalchemy"].session.get(Municipality, codes[0]).region_code
    rows = {r["code"]: r for r in client.get(f"/api/v1/compare?level=region&period={YEAR}").get_json()["items"]}
    row = rows[region]
    scores = [r[3] for r in ratings]
    assert row["n"] == len(scores) and row["weighting"] == "ratings"
    assert row["index"] == r1(idx(sum(scores) / len(scores)))
    low, high = row["interval"]
    assert low < row["index"] < high
    split = {r["code"]: r for r in client.get(f"/api/v1/compare?level=urban_rural&period={YEAR}").get_json()["items"]}
    assert split["rural"]["n"] == len(scores) and split["urban"]["index"] is None
    assert split["urban"]["reason"] == "not_enough_ratings"

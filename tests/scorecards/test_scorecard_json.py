"""Known ratings in, every number of the scorecard JSON checked against a computation here.

The aiyl aimak is alone in its peer group in the test database, so no shrinkage applies (fewer than
min_peers other municipalities) and the published index is the plain mean's index. Student-t
quantiles are taken from printed tables, not from the code under test."""
import math
import statistics
from decimal import ROUND_HALF_UP, Decimal

import pytest

from feedback.catalog.models import Period
from feedback.db import db
from feedback.evaluation.models import IndicatorScore, StateEvaluation
from tests.scorecards.helpers import AK_BULUN, KARAKOL, rate, respondent

YEAR, BEFORE = 2019, 2018
T90 = {9: 1.833113, 11: 1.795885, 12: 1.782288}  # t(0.95; df), two-sided 90 %
WATER = [5, 4, 4, 3, 5, 2, 4, 4, 3, 5, 1, 4]
RESULT = [4, 4, 3, 3, 5, 2, 4, 3, 3, 4]
INFO = [3, 3, 4, 2, 5]
WATER_BEFORE = [3, 3, 2, 4, 3, 3, 2, 3, 4, 3]
KARAKOL_WATER = [2] * 10


def r1(x):
    return float(Decimal(repr(x)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def r2(x):
    return float(Decimal(repr(x)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def idx(mean):
    return (mean - 1) / 4 * 100


def t_interval(values, floor=0.25):
    n = len(values)
    mean = statistics.fmean(values)
    half = T90[n - 1] * math.sqrt(max(statistics.variance(values), floor) / n)
    return max(0.0, idx(mean - half)), min(100.0, idx(mean + half))


@pytest.fixture
def known(create_user):
    for i, score in enumerate(WATER):
        who = respondent(verified=i < 4)
        criteria = {"CR-RESULT": RESULT[i]} if i < 10 else {"CR-TIME": None}
        rate(who, AK_BULUN, "LI-WATER", score, YEAR, criteria)
        if i < len(INFO):
            rate(who, AK_BULUN, "MS-INFO", INFO[i], YEAR)
    for _ in range(2):
        rate(respondent(), AK_BULUN, "LI-WATER", 5, YEAR, quarantine=True)
    for score in WATER_BEFORE:
        rate(respondent(), AK_BULUN, "LI-WATER", score, BEFORE)
    for score in KARAKOL_WATER:
        rate(respondent(), KARAKOL, "LI-WATER", score, YEAR)
    db.session.add(Period(year=YEAR, status="closed"))
    evaluator = create_user("state_evaluator", agency_code="MOD")
    final = StateEvaluation(municipality_code=AK_BULUN, subject_code="DP-MILITARY", period=YEAR, agency_code="MOD",
                            evaluator_id=evaluator.id, status="final")
    final.scores = [IndicatorScore(indicator_code="SI-EXECUTION", score=4), IndicatorScore(indicator_code="SI-TIMELINESS", score=3),
                    IndicatorScore(indicator_code="SI-RECORDS", score=5), IndicatorScore(indicator_code="SI-COMPLAINTS", score=2),
                    IndicatorScore(indicator_code="SI-FUNDING", answer="no"), IndicatorScore(indicator_code="SI-METHOD", answer="partial")]
    draft = StateEvaluation(municipality_code=AK_BULUN, subject_code="DP-CIVREG", period=YEAR, agency_code="MDD",
                            evaluator_id=evaluator.id, status="submitted")
    draft.scores = [IndicatorScore(indicator_code="SI-EXECUTION", score=1)]
    db.session.add_all([final, draft])
    db.session.flush()


def test_every_number_of_the_scorecard(app, client, known):
    body = client.get(f"/api/v1/municipalities/{AK_BULUN}/scorecard?period={YEAR}&methodology=1").get_json()
    assert body["period"] == YEAR and body["methodology_version"] == 1 and body["min_sample"] == 10
    assert body["municipality"]["code"] == AK_BULUN
    citizen = body["citizen"]

    water_index = idx(statistics.fmean(WATER))
    water_interval = t_interval(WATER)
    assert citizen["n"] == len(WATER) + len(INFO)
    assert citizen["mean"] == r2(statistics.fmean(WATER + INFO))
    assert citizen["n_quarantined"] == 2
    assert citizen["n_verified"] == 4 + 4  # four verified respondents rated both subjects
    assert citizen["verified_share"] == round(8 / 17, 3)
    # Only the water subject is published, so the track is the water index.
    assert citizen["index"] == r1(water_index)
    assert citizen["interval"] == [r1(water_interval[0]), r1(water_interval[1])]
    assert citizen["reason"] is None

    subjects = {s["code"]: s for s in citizen["subjects"]}
    water, info = subjects["LI-WATER"], subjects["MS-INFO"]
    assert (water["n"], water["mean"], water["published"]) == (12, r2(statistics.fmean(WATER)), True)
    assert water["index"] == r1(water_index) == water["raw_index"]
    assert water["interval"] == [r1(water_interval[0]), r1(water_interval[1])]
    assert water["shrinkage_weight"] == 1.0 and water["peer_group"] is None
    assert water["distribution"] == [WATER.count(k) for k in range(1, 6)]
    assert water["n_quarantined"] == 2 and water["n_verified"] == 4
    assert (info["n"], info["mean"], info["index"], info["interval"], info["published"], info["reason"]) == (
        5, r2(statistics.fmean(INFO)), None, None, False, "not_enough_ratings")

    criteria = {c["code"]: c for c in citizen["criteria"]}
    result_interval = t_interval(RESULT)
    assert criteria["CR-RESULT"] == {
        "code": "CR-RESULT", "n": 10, "n_unknown": 0, "mean": r2(statistics.fmean(RESULT)), "published": True,
        "index": r1(idx(statistics.fmean(RESULT))), "interval": [r1(result_interval[0]), r1(result_interval[1])],
        "lowest": False}
    assert criteria["CR-TIME"]["n"] == 0 and criteria["CR-TIME"]["n_unknown"] == 2 and criteria["CR-TIME"]["index"] is None

    before_index, before_interval = idx(statistics.fmean(WATER_BEFORE)), t_interval(WATER_BEFORE)
    trend = citizen["trend"]
    assert trend["previous_period"] == BEFORE and trend["previous_index"] == r1(before_index)
    assert trend["previous_interval"] == [r1(before_interval[0]), r1(before_interval[1])]
    overlap = before_interval[1] >= water_interval[0]
    assert trend["direction"] == ("no_clear_change" if overlap else "up")
    assert trend["change"] == (r1(water_index - before_index) if trend["direction"] else None)

    state = body["state"]
    lsg = statistics.fmean([idx(4), idx(3), idx(5), idx(2)])
    assert state["index"] == r1(lsg) and state["interval"] is None and state["reason"] is None
    [power] = state["powers"]  # the submitted (not final) evaluation does not count
    assert power["code"] == "DP-MILITARY" and power["index"] == r1(lsg)
    assert power["state_support_index"] == r1((0 + 50) / 2)

    # No final transparency assessment: "not assessed", never 0 (tests/transparency has the rest).
    assert body["budget_transparency"] == {"index": None, "interval": None, "n": 0, "reason": "not_assessed",
                                           "areas": [], "items": []}
    responsiveness = body["responsiveness"]  # no comment due an answer (tests/answers checks the numbers)
    assert (responsiveness["index"], responsiveness["interval"], responsiveness["reason"], responsiveness["n"]) == (
        None, None, "not_enough_comments", 0)

    wc, ws = 0.5 / 0.8, 0.3 / 0.8
    composite = body["composite"]
    assert composite["index"] == r1(wc * water_index + ws * lsg)
    assert composite["interval"] == [r1(wc * water_interval[0] + ws * lsg), r1(wc * water_interval[1] + ws * lsg)]
    assert composite["components"] == [{"track": "citizen", "weight": round(wc, 3), "index": r1(water_index)},
                                       {"track": "state", "weight": round(ws, 3), "index": r1(lsg)}]
    assert composite["missing"] == ["budget_transparency", "responsiveness"]

    karakol_interval = t_interval(KARAKOL_WATER)
    separate = karakol_interval[1] < water_interval[0]
    assert body["position"]["region"] == {"tier": 1, "tiers": 2 if separate else 1, "published": 2,
                                          "municipalities": body["position"]["region"]["municipalities"]}
    assert body["position"]["peer_group"]["tier"] == 1 and body["position"]["peer_group"]["published"] == 1


def test_verified_only(app, client, known):
    body = client.get(f"/api/v1/municipalities/{AK_BULUN}/scorecard?period={YEAR}&verified=1&methodology=1").get_json()
    citizen = body["citizen"]
    assert body["verified_only"] is True
    assert citizen["n"] == 8 and citizen["index"] is None and citizen["reason"] == "not_enough_ratings"
    assert citizen["mean"] == r2(statistics.fmean(WATER[:4] + INFO[:4]))
    assert body["position"]["region"]["tier"] is None


def test_compare_rows(app, client, known):
    body = client.get(f"/api/v1/compare?level=region&period={YEAR}&methodology=1").get_json()
    assert body["level"] == "region" and body["period"] == YEAR
    rows = {r["code"]: r for r in body["items"]}
    assert len(rows) == 9
    issyk_kul = rows["41702000000000"]
    assert issyk_kul["published"] == 2 and issyk_kul["n"] == 12 + 5 + 10 and issyk_kul["n_quarantined"] == 2
    expected = (idx(statistics.fmean(WATER)) * 12 + idx(2) * 10) / 22
    assert issyk_kul["citizen_index"] == r1(expected)
    assert issyk_kul["tier"] == 1
    assert rows["41711000000000"]["citizen_index"] is None and rows["41711000000000"]["tier"] is None
    districts = client.get(f"/api/v1/compare?level=district&period={YEAR}&methodology=1").get_json()["items"]
    assert sum(r["municipalities"] for r in districts) == sum(r["municipalities"] for r in rows.values())

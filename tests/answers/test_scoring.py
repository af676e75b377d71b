"""The responsiveness formulas against hand computations."""
import math

import pytest

from feedback.answers.scoring import RESPONSIVENESS, responsiveness_index, settings, share_variance

Z90 = 1.6448536269514722  # the 95th percentile of the standard normal (printed tables: 1.645)


def test_index_is_the_weighted_mean_of_the_shares():
    # 8 of 10 answered on time, 1 of 2 promises kept, 3 of 4 judged helpful; weights 0.5/0.25/0.25:
    # 100 × (0.5·0.8 + 0.25·0.5 + 0.25·0.75) = 100 × (0.4 + 0.125 + 0.1875) = 71.25
    result = responsiveness_index({"answered_on_time": (8, 10), "promises_kept": (1, 2), "judged_helpful": (3, 4)},
                                  settings())
    assert result["index"] == pytest.approx(71.25)
    assert result["n"] == 10 and result["reason"] is None


def test_weights_are_renormalised_over_the_components_with_data():
    # no promises yet: 100 × (0.5·0.8 + 0.25·0.75) / 0.75 = 100 × 0.5875 / 0.75 = 78.333…
    result = responsiveness_index({"answered_on_time": (8, 10), "promises_kept": (0, 0), "judged_helpful": (3, 4)},
                                  settings())
    assert result["index"] == pytest.approx(78.3333333, abs=1e-6)
    assert [c["used_weight"] for c in result["components"]] == pytest.approx([2 / 3, 0, 1 / 3])


def test_interval_by_hand():
    # one component, 6 of 10: p̃ = (6 + z²/2)/(10 + z²); var = p̃(1 − p̃)/(10 + z²); index 60 ± 100·z·√var
    z2 = Z90 ** 2
    p = (6 + z2 / 2) / (10 + z2)
    half = 100 * Z90 * math.sqrt(p * (1 - p) / (10 + z2))
    result = responsiveness_index({"answered_on_time": (6, 10)}, settings())
    assert result["index"] == pytest.approx(60)
    assert result["interval"] == pytest.approx((60 - half, 60 + half))
    assert 0 < half < 30


def test_ten_of_ten_still_has_an_interval_and_stays_within_100():
    result = responsiveness_index({"answered_on_time": (10, 10)}, settings())
    low, high = result["interval"]
    assert result["index"] == 100 and high == 100 and low < 100
    assert share_variance(10, 10, Z90) > 0


def test_below_the_minimum_sample_no_index():
    n = RESPONSIVENESS["min_sample"] - 1
    result = responsiveness_index({"answered_on_time": (n, n), "judged_helpful": (5, 5)}, settings())
    assert result["index"] is None and result["interval"] is None
    assert result["reason"] == "not_enough_comments" and result["n"] == n


def test_a_methodology_version_overrides_the_constants():
    constants = settings({"responsiveness": {"min_sample": 2, "weights": {"judged_helpful": 0}}})
    assert constants["min_sample"] == 2 and constants["weights"]["answered_on_time"] == 0.5
    result = responsiveness_index({"answered_on_time": (1, 2), "judged_helpful": (0, 4)}, constants)
    assert result["index"] == pytest.approx(50)
    assert RESPONSIVENESS["min_sample"] == 5  # the defaults are not changed by an override

"""Pure version-2 scoring: the grouping promise, the subject basket and rank intervals."""
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from feedback.scorecards import scoring

intervals = st.lists(st.tuples(st.floats(0, 100), st.floats(0, 30)), min_size=1, max_size=40)


@settings(max_examples=300, deadline=None)
@given(intervals, st.lists(st.sampled_from([-1, 0, 1]), min_size=40, max_size=40))
def test_overlapping_intervals_never_in_different_groups(items, raw):
    low = np.array([a for a, _ in items])
    high = low + np.array([w for _, w in items])
    classes = scoring.consistent_classes(np.array(raw[: len(items)]), low, high)
    components = scoring.overlap_components(low, high)
    for i in range(len(items)):
        for j in range(len(items)):
            if low[i] <= high[j] and low[j] <= high[i]:
                assert classes[i] == classes[j]
                assert components[i] == components[j]


def test_subject_effects_recover_an_additive_basket():
    # Two units: A rated only the easy subject, B both. True levels 3.0 and 3.5; easy = +0.5.
    unit = np.array([0, 1, 1])
    subject = np.array([0, 0, 1])
    n = np.array([10, 10, 10])
    total = np.array([10 * 3.5, 10 * 4.0, 10 * 3.0])
    b = scoring.subject_effects(unit, subject, n, total, 2, 2)
    assert abs((b[0] - b[1]) - 1.0) < 1e-6
    assert abs((n[:2].sum() * b[0] + 10 * b[1]) / 30 - 0) < 1e-9 or abs(20 * b[0] + 10 * b[1]) < 1e-6


def test_rank_intervals_hold_the_estimate_order():
    low, high = scoring.rank_intervals(np.array([4.5, 3.0, 1.5]), np.array([0.01, 0.01, 0.01]), 0.9, 500, 1)
    assert list(low) == [1, 2, 3] and list(high) == [1, 2, 3]

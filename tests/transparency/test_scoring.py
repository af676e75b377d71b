"""The budget transparency index against hand computations (data/catalog/README.md, section 7)."""
import csv
from pathlib import Path

import pytest

from feedback.transparency.scoring import Item, allows_na, score, wilson

CHECKLIST = Path(__file__).resolve().parents[2] / "feedback" / "data" / "catalog" / "budget_transparency.csv"


def catalog() -> list[Item]:
    with CHECKLIST.open(encoding="utf-8") as f:
        return [Item(r["code"], int(r["area"]), int(r["weight"]), allows_na(r["answer_scale"])) for r in csv.DictReader(f)]


def test_only_the_audit_item_allows_not_applicable():
    assert [i.code for i in catalog() if i.allows_na] == ["BT-1-06"]
    assert allows_na("yes=100|partial=50|no=0|n/a=excluded") and not allows_na("yes=100|partial=50|no=0")


def test_all_yes_is_100_and_all_no_is_0():
    items = catalog()
    assert score(items, {i.code: "yes" for i in items}).index == 100
    assert score(items, {i.code: "no" for i in items}).index == 0


def test_hand_computed_mix_with_partial_and_not_applicable():
    items = catalog()
    answers = {i.code: "no" for i in items}
    # Area 1 (weights 15 20 15 15 15 10 10): BT-1-01 yes, BT-1-02 partial, BT-1-06 n/a →
    # (15×100 + 20×50) / (100 − 10) = 2500 / 90 = 27.78
    answers.update({"BT-1-01": "yes", "BT-1-02": "partial", "BT-1-06": "na"})
    # Area 2 (20 20 15 15 15 15): BT-2-01 yes, BT-2-02 yes → 4000 / 100 = 40
    answers.update({"BT-2-01": "yes", "BT-2-02": "yes"})
    # Area 3 (20 15 15 20 15 15): all partial → 50
    answers.update({i.code: "partial" for i in items if i.area == 3})
    result = score(items, answers)
    assert result.areas[1] == pytest.approx(2500 / 90)
    assert result.areas[2] == pytest.approx(40)
    assert result.areas[3] == pytest.approx(50)
    assert result.index == pytest.approx((2500 / 90 + 40 + 50) / 3)  # 39.26


def test_readme_example_areas_70_50_30_give_50():
    items = [Item("a1", 1, 40), Item("a2", 1, 60), Item("b", 2, 100), Item("c1", 3, 60), Item("c2", 3, 40)]
    answers = {"a1": "partial", "a2": "yes", "b": "partial", "c1": "no", "c2": "partial"}
    # area 1: (40×50 + 60×100)/100 = 80; area 2: 50; area 3: (0 + 40×50)/100 = 20 → mean 50
    result = score(items, answers)
    assert (result.areas[1], result.areas[2], result.areas[3]) == (80, 50, 20)
    assert result.index == 50


def test_not_applicable_only_where_the_scale_allows_it():
    items = catalog()
    answers = {i.code: "yes" for i in items}
    answers["BT-2-01"] = "na"
    result = score(items, answers)
    assert result.index is None and result.reason == "incomplete" and result.missing == ["BT-2-01"]


def test_unanswered_item_is_no_index_never_zero():
    items = catalog()
    answers = {i.code: "yes" for i in items}
    del answers["BT-3-06"]
    result = score(items, answers)
    assert result.index is None and result.missing == ["BT-3-06"]


def test_an_area_of_only_not_applicable_items_is_left_out():
    items = [Item("a", 1, 100, True), Item("b", 2, 100), Item("c", 3, 100)]
    result = score(items, {"a": "na", "b": "yes", "c": "no"})
    assert result.areas[1] is None and result.index == 50


def test_wilson_interval():
    low, high = wilson(46, 100, 1.6448536)
    assert low == pytest.approx(0.3795, abs=1e-3) and high == pytest.approx(0.5427, abs=1e-3)
    assert wilson(0, 10, 1.645)[0] == 0 and wilson(0, 0, 1.645) is None

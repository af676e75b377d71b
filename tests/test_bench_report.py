"""The bench's report says, per database, whether each route keeps its speed from the small to the
large history (issue 15: at 5 M ratings at least 0.85 of itself at 50 k)."""
from bench.bench import SCALE_BUDGET, scale_table


def _run(database, ratings, **ratios):
    summary = {"bare": {"ratio": 1.0}}
    summary.update({name.replace("_", " "): {"ratio": ratio} for name, ratio in ratios.items()})
    return {"database": database, "demo_ratings": ratings, "summary": summary}


def test_each_route_large_over_small_per_database():
    runs = [_run("sqlite", 5_000_000, home=0.36, search=0.20), _run("sqlite", 50_000, home=0.40, search=0.30),
            _run("postgresql", 50_000, home=0.30)]
    report = scale_table(runs)
    assert "sqlite: 5 000 000 over 50 000" in report
    assert f"| home | 0.400 | 0.360 | 0.90 | ≥ {SCALE_BUDGET} met |" in report
    assert f"| search | 0.300 | 0.200 | 0.67 | ≥ {SCALE_BUDGET} **not met** |" in report
    assert "postgresql" not in report  # one scale only: nothing to compare
    assert "bare" not in report

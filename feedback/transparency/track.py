"""Budget transparency as a scorecard track (feedback/scorecards/tracks.py): the index of the
municipality's FINAL assessment of the period, with its areas, items, evidence and the LSG's
replies as details; "not assessed" (never 0) without one.

The index is returned at full precision, as ``indices`` gives it to comparisons: the scorecard
rounds it once when it serialises the card, and the composite is computed from the full value on
the scorecard and in comparisons alike. The area scores are details, published as the track gives
them, so they are rounded here, to the methodology's decimals (half away from zero)."""
from flask import Flask

from ..scorecards.methodology import rounded
from ..scorecards.tracks import TrackResult, register
from .queries import budget_transparency_track, final_indices

UNWATCHED: set[str] = set()


class BudgetTransparency:
    key = "budget_transparency"

    def compute(self, municipality, period: int, params) -> TrackResult:
        track = budget_transparency_track(municipality, period, params)
        details = {k: v for k, v in track.items() if k not in ("index", "interval", "n", "reason")}
        decimals = params["rounding"]["index_decimals"] if params is not None else 1
        details["areas"] = [{**a, "score": rounded(a["score"], decimals)} for a in details["areas"]]
        return TrackResult(index=track["index"], interval=None, n=track.get("n"), reason=track.get("reason"),
                           details=details)

    def indices(self, period: int, params=None) -> dict[str, float]:
        return final_indices(period)  # no methodology constant of its own: the same under every version


def init_app(app: Flask) -> None:
    register(BudgetTransparency())
    # Every write to this track's tables changes the kept scorecards and comparisons (scorecards/kept.py).
    from .. import cache
    from ..scorecards.kept import SCORECARD
    from . import models

    cache.watch(cache.model_tables(models) - UNWATCHED, SCORECARD)

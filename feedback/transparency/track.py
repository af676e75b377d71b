"""Budget transparency as a scorecard track (feedback/scorecards/tracks.py): the index of the
municipality's FINAL assessment of the period, with its areas, items, evidence and the LSG's
replies as details; "not assessed" (never 0) without one."""
from flask import Flask

from ..scorecards.tracks import TrackResult, register
from .queries import budget_transparency_track, final_indices


class BudgetTransparency:
    key = "budget_transparency"

    def compute(self, municipality, period: int, params) -> TrackResult:
        track = budget_transparency_track(municipality, period, params)
        details = {k: v for k, v in track.items() if k not in ("index", "interval", "n", "reason")}
        return TrackResult(index=track["index"], interval=None, n=track.get("n"), reason=track.get("reason"),
                           details=details)

    def indices(self, period: int, params=None) -> dict[str, float]:
        return final_indices(period)  # no methodology constant of its own: the same under every version


def init_app(app: Flask) -> None:
    register(BudgetTransparency())

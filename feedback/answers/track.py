"""Responsiveness as a scorecard track (feedback/scorecards/tracks.py): how the local government
answers residents — share of comments answered on time, share of promised actions done on time,
residents' judgement of the answers (answers/scoring.py has the formula and its constants)."""
from flask import Flask

from ..scorecards import methodology as mth
from ..scorecards.tracks import TrackResult, register
from .queries import responsiveness_track, responsiveness_tracks

UNWATCHED = {"sms_notice"}  # the outbox of answer notices: no card reads it


class Responsiveness:
    key = "responsiveness"

    def compute(self, municipality, period: int, params) -> TrackResult:
        track = responsiveness_track(municipality, period, params)
        details = {k: v for k, v in track.items() if k not in ("index", "interval", "n", "reason")}
        details["components"] = [{**c, "share": mth.rounded(c["share"], 3)} for c in track.get("components", [])]
        interval = tuple(track["interval"]) if track.get("interval") else None
        return TrackResult(index=track["index"], interval=interval, n=track.get("n"), reason=track.get("reason"),
                           details=details)

    def indices(self, period: int, params=None) -> dict[str, float]:
        """Every municipality's index under ``params`` (the methodology version compared; the newest
        when None)."""
        tracks = responsiveness_tracks(period, params if params is not None else mth.get())
        return {code: t["index"] for code, t in tracks.items() if t["index"] is not None}


def init_app(app: Flask) -> None:
    register(Responsiveness())
    # Every write to this track's tables changes the kept scorecards and comparisons (scorecards/kept.py).
    from .. import cache
    from ..scorecards.kept import SCORECARD
    from . import models

    cache.watch(cache.model_tables(models) - UNWATCHED, SCORECARD)

"""The scorecard's tracks: one small interface per track, so a new track plugs in without editing
the others.

A track is any object with a ``key`` (the scorecard JSON key, e.g. ``"responsiveness"``) and
``compute(municipality, period, params) -> TrackResult``. ``municipality`` is the territory model
(``code``, ``kind``, ``region_code``, ``district_code``), ``period`` a year and ``params`` the
methodology version the card is computed with (``params["composite_weights"][key]`` is the
track's weight in the composite; a new track needs a weight there, published as a new version).

How a track registers itself — in its own package, with no edit here::

    # feedback/answers/track.py
    from feedback.scorecards.tracks import TrackResult, register

    class Responsiveness:
        key = "responsiveness"

        def compute(self, municipality, period, params):
            ...
            return TrackResult(index=72.5, interval=(64.0, 80.1), n=31, details={...})

    register(Responsiveness())

and import that module once at start-up (its package's ``init_app``, called from the app
factory). The card asks every registered track, in registration order; a track whose key is not
registered shows ``{"index": null, "reason": "not_available_yet"}``. A track may also offer
``indices(period, params=None) -> {municipality code: index}`` so that comparisons can use it
(``params``: the methodology version compared, the newest when None). ``index`` is on the 0–100
scale (``scoring.index_from_mean`` for 1–5 means), ``interval`` its uncertainty interval at the
methodology's confidence (or None when the track has no sampling error), ``n`` what it is
counted from, ``reason`` why there is no index (None when there is one), ``details`` anything the
track shows on its own (it appears under the track's key in the scorecard JSON).
"""
from dataclasses import dataclass, field
from typing import Any, Protocol

NOT_AVAILABLE = "not_available_yet"


@dataclass
class TrackResult:
    index: float | None = None
    interval: tuple[float, float] | None = None
    n: int | None = None
    reason: str | None = None
    details: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict:
        return {**self.details, "index": self.index, "interval": list(self.interval) if self.interval else None,
                "n": self.n, "reason": self.reason if self.index is None else None}


class Track(Protocol):
    key: str

    def compute(self, municipality, period: int, params) -> TrackResult: ...


REGISTRY: list[Track] = []


def register(track: Track) -> Track:
    """Add ``track`` (replacing one with the same key, so registering twice is harmless)."""
    REGISTRY[:] = [t for t in REGISTRY if t.key != track.key]
    REGISTRY.append(track)
    return track


def registered(key: str) -> Track | None:
    return next((t for t in REGISTRY if t.key == key), None)


def period_indices(period: int, params=None) -> dict[str, dict[str, float]]:
    """track key → {municipality code → index} for every registered track that can list a whole
    period at once (an optional ``indices(period, params)`` method), for comparisons and composites,
    under the methodology version ``params`` (the newest when None) — a comparison under version N
    uses version N's constants."""
    return {t.key: t.indices(period, params) for t in REGISTRY if hasattr(t, "indices")}


def compute(key: str, municipality, period: int, params) -> TrackResult:
    track = registered(key)
    if track is None:
        return TrackResult(reason=NOT_AVAILABLE)
    return track.compute(municipality, period, params)

"""Keep the running aggregates in step with the ratings.

Every change of a rating's counted state (submission, replacement, phone verification, release or
confirmation of a quarantined rating) is announced by ``ratings.signals.rating_changed`` after the
rating was flushed; the receiver applies the difference old → new in the same session, so the
aggregates commit or roll back together with the rating.
"""
from flask import Flask

from ..ratings.signals import RatingState, rating_changed
from . import queries


def on_rating_changed(sender, old: RatingState | None = None, new: RatingState | None = None, **extra) -> None:
    queries.apply_change(old, new)


def init_app(app: Flask) -> None:
    # blinker keys receivers by identity: connecting again (several apps in one process) is a no-op.
    rating_changed.connect(on_rating_changed, weak=False)
    from .demo import demo_context

    app.context_processor(demo_context)

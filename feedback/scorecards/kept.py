"""Whole scorecards and comparisons kept under the versions of every input they rest on
(``feedback/cache.py``), so that a request for one that has not changed costs one statement.

What a card rests on, and what changes it:

- the period's ratings and the previous period's (the trend): ``period_counter`` of each, bumped in
  every rating change's own transaction (aggregates.py) — no extra write on the rating's path;
- everything else that a card or a comparison reads: the ``scorecard`` version, bumped in the
  transaction of any write to the state evaluations, the methodology, the tracks' tables (each
  track watches its own: answers/track.py, transparency/track.py), and of any change to a rating
  that makes a comment appear on or leave the public page (moderation, a replacement, retention);
- the registry and the catalog, the demonstration data: the ``reference`` version (cache.py);
- time alone: responsiveness and the comments' answer status turn "overdue" at their deadline, a
  promise at the end of its day, the default period at the new year. The key holds the date in
  Kyrgyzstan, and a kept value expires at the first deadline it met still in the future
  (``cache.expires``, noted by answers/queries.py).

All of these are read in one statement per request (``cache.snapshot``). A rating therefore shows
in its municipality's n on the very next request of any process: the request reads the new
counter and finds nothing kept under it. A card computed from a stale shared context (the context
is being recomputed by another process) is served but not kept (``context.get`` tells
``cache.uncacheable``), and a request that wrote keeps nothing (``cache.written``).

Only anonymous GETs of the HTML page are kept, and only when the visitor has no comments of their
own on it (the only per-visitor part of the page, with its CSRF tokens); a page whose rendering
touched the session (a CSRF token, a flashed message) is not kept.
"""
from flask import g, request, session
from sqlalchemy import inspect

from .. import cache

SCORECARD = "scorecard"


def today():
    from ..answers.services import today as local_today  # Kyrgyzstan's date (promises are local dates)

    return local_today()


def versions(*periods: int) -> tuple:
    """The key part that names every input of a card (or comparison) of these periods."""
    snap = cache.snapshot()
    return (snap.versions.get(cache.NAME, 0), snap.versions.get(SCORECARD, 0),
            tuple(snap.counter(p) for p in periods), today().isoformat())


def all_versions() -> tuple:
    """The key part for a page that reads every period (the comparison page's trends)."""
    snap = cache.snapshot()
    return tuple(sorted(snap.versions.items())), tuple(sorted(snap.counters.items())), today().isoformat()


def check_context(period: int, counter: int, current: bool) -> None:
    """Called with every shared context a request uses: one behind the counter the request's key
    holds (or not current) makes what is computed from it unfit to keep."""
    snap = g.get("_cache_snapshot")
    if not current or (snap is not None and snap.counter(period) != counter):
        cache.uncacheable()


def keep_page(key: tuple, render) -> bytes | str:
    """An anonymous GET page kept under ``key`` (which must hold ``versions``); any other request,
    or a page that touched the session, rendered as usual."""
    if not cache.anonymous():
        return render()

    def make():
        html = render()
        if not isinstance(html, str):  # redirects, errors, tuples: not kept
            g._kept_passthrough = html
            return None
        if session.modified or "csrf_token" in g:  # a flashed message, a CSRF token (Flask-WTF keeps it in g)
            cache.uncacheable()
        return html.encode()

    g.pop("_kept_passthrough", None)
    value = cache.kept(("page", request.full_path, g.get("lang"), *key), make)
    if value is None:
        return g.pop("_kept_passthrough")
    return value


def _comment_change(obj) -> str | None:
    """A rating's change that makes a comment appear on or leave the public page bumps the
    ``scorecard`` version; its ordinary changes (counted by the period counter) bump nothing. A bulk
    statement on the ratings (retention, demonstration data) always bumps it."""
    if obj is None:
        return SCORECARD
    state = inspect(obj)

    def visible(old: bool) -> bool:
        def value(attr):
            history = state.attrs[attr].history
            return history.deleted[0] if old and history.deleted else getattr(obj, attr)

        return value("comment_status") == "approved" and value("status") == "accepted" and bool(value("comment"))

    if state.deleted or state.was_deleted or obj in state.session.deleted:
        return SCORECARD if visible(True) else None
    if not state.has_identity or state.pending:  # new
        return SCORECARD if visible(False) else None
    changed = any(state.attrs[a].history.has_changes() for a in ("comment_status", "comment", "status"))
    return SCORECARD if changed and (visible(True) or visible(False)) else None


def init_app(app) -> None:
    from ..evaluation import models as evaluation
    from ..ratings.models import Rating
    from .models import Methodology

    cache.watch(cache.model_tables(evaluation) | {Methodology.__tablename__}, SCORECARD)
    cache.watch_rows(Rating.__tablename__, _comment_change)
    cache.kept_store.max_bytes = int(app.config.get("CACHE_KEPT_BYTES", cache.KEPT_BYTES))



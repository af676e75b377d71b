"""Whole scorecards and comparisons kept under the versions of every input they rest on
(``feedback/cache.py``), so that a request for one that has not changed costs one statement.

What a card rests on, and what changes it:

- its own municipality's ratings of the period and of the previous period (the trend):
  ``unit_counter`` of each, bumped with the period's counter in every rating change's own
  transaction (aggregates.py) and by ``flask scorecards rebuild``. A rating elsewhere leaves it;
- the shared peer context of each of those periods (context.py) that it places itself in: the stored
  row's identity (its counter and random stamp) and whether it is due to be recomputed (stale, and
  computed at least ``SCORECARD_CONTEXT_MIN_SECONDS`` ago). A stale context younger than that is
  used as it is, so under a stream of ratings every other card's key changes at most once per
  interval: when the context is due, and again when it is recomputed;
- everything else that a card or a comparison reads: the ``scorecard`` version, bumped in the
  transaction of any write to the state evaluations, the methodology, the tracks' tables (each
  track watches its own: answers/track.py, transparency/track.py), and of any change to a rating
  that makes a comment appear on or leave the public page (moderation, a replacement, retention);
- the registry and the catalog, the demonstration data: the ``reference`` version (cache.py);
- time alone: responsiveness and the comments' answer status turn "overdue" at their deadline, a
  promise at the end of its day, the default period at the new year. The key holds the date in
  Kyrgyzstan, and a kept value expires at the first deadline it met still in the future
  (``cache.expires``, noted by answers/queries.py).

A comparison (the whole country) holds the periods' counters (``period_counter``) instead of one
municipality's, and the same context identities. Methodology 1 computes its context from every
rating of the period in the request: its card is kept under the periods' counters too
(``?methodology=1``) or not at all (``check_period``).

All of these are read in one statement per request (``cache.snapshot``, scoped to the card's
municipality and periods). A rating therefore shows in its municipality's n, mean and distribution
on the very next request of any process: the request reads the new counter and finds nothing kept
under it. A card is kept only under the context it was computed from (``check_context``): one
computed from a context stored since the key was read is not kept, unless this very request stored
it (then under the new identity, ``cache.rekey``); one computed while another process recomputes
the context is kept until that claim lapses. A request that wrote keeps nothing (``cache.written``).

Each of these keys is named by a ``cache.Part`` (``card_part``, ``period_part``, ``all_part``): the
snapshot's scope and the key part made from it. The view offers the response it sends under that
part, so that the front (``feedback/front.py``) answers the next identical request with a copy of
the whole response once the same statement shows the part unchanged, before Flask is reached.

Only anonymous GETs of the HTML page are kept, and only when the visitor has no comments of their
own on it (the only per-visitor part of the page, with its CSRF tokens); a page whose rendering
touched the session (a CSRF token, a flashed message) is not kept.
"""
import dataclasses
import datetime as dt
import functools

from flask import current_app, g, request, session
from sqlalchemy import inspect

from .. import cache
from ..db import as_utc, utcnow

SCORECARD = "scorecard"


def today():
    from ..answers.services import today as local_today  # Kyrgyzstan's date (promises are local dates)

    return local_today()


def min_seconds() -> float:
    """A stale stored context younger than this is used as it is (SCORECARD_CONTEXT_MIN_SECONDS)."""
    return float(current_app.config["SCORECARD_CONTEXT_MIN_SECONDS"])  # its default: config.DEFAULTS


def young(computed_at) -> bool:
    """Was a stored context computed less than ``min_seconds`` ago? (A stale one is then used as it
    is: recomputed at most once per interval.) ``computed_at`` as stored: SQLite gives naive UTC
    text or datetimes."""
    if computed_at is None:
        return False
    if isinstance(computed_at, str):
        computed_at = dt.datetime.fromisoformat(computed_at)
    return (utcnow() - as_utc(computed_at)).total_seconds() < min_seconds()


def _contexts(snap: cache.Snapshot) -> tuple:
    """The identity of every stored context in the snapshot's scope — (period, version, verified),
    counter, stamp — and whether it is due to be recomputed (stale and no longer ``young``): the key
    then changes once, and the request that misses recomputes it (context.get). Remembered as the
    request's key part (see ``check_context``)."""
    part = ("contexts", tuple(sorted((key, counter, stamp, counter != snap.counter(key[0]) and not young(at))
                                     for key, (counter, stamp, at) in snap.contexts.items())))
    g._kept_contexts = part
    return part


def _period_key(periods: tuple, snap: cache.Snapshot) -> tuple:
    if not periods:
        return snap.versions.get(cache.NAME, 0), snap.versions.get(SCORECARD, 0), (), today().isoformat()
    g._kept_periods = set(periods)
    return (snap.versions.get(cache.NAME, 0), snap.versions.get(SCORECARD, 0),
            tuple(snap.counter(p) for p in periods), _contexts(snap), today().isoformat())


def period_part(*periods: int) -> cache.Part:
    """What a comparison of these periods (the whole country) rests on: the periods' rating counters
    and their stored contexts. Without periods (what rests on no rating: area_inputs.py, kept inside
    a card's or comparison's own making), the rarer versions and the date only, leaving the request's
    own key as it was."""
    return cache.Part(None, periods, functools.partial(_period_key, periods))


def _methodology_key(snap: cache.Snapshot) -> tuple:
    return (*_period_key((), snap), min_seconds())


def methodology_part() -> cache.Part:
    """What the methodology page rests on: the versions (a publish bumps the ``scorecard`` one), the
    date, and the interval of the shared context it states (the configuration, read again by the
    front with the versions)."""
    return cache.Part(None, (), _methodology_key)


def versions(*periods: int) -> tuple:
    """``period_part``'s key part, read."""
    return period_part(*periods).read()


def _card_key(periods: tuple, method1: bool, snap: cache.Snapshot) -> tuple:
    key = (snap.versions.get(cache.NAME, 0), snap.versions.get(SCORECARD, 0),
           tuple(snap.unit_counter(p) for p in periods), _contexts(snap), today().isoformat())
    if method1:
        g._kept_periods = set(periods)
        key += (tuple(snap.counter(p) for p in periods),)
    return key


def card_part(municipality: str, period: int) -> cache.Part:
    """What ONE municipality's card of ``period`` (with the previous period's trend) rests on: its
    own rating counters, not the country's, and the stored contexts it places itself in. A rating
    elsewhere leaves the key as it is until the context is recomputed. Methodology 1
    (``?methodology=1``) computes its context from every rating of the period, in the request: its
    key holds the periods' counters too (another method-1 version is not kept: ``check_period``)."""
    periods = (period, period - 1)
    return cache.Part(municipality, periods,
                      functools.partial(_card_key, periods, request.args.get("methodology") == "1"))


def _all_key(snap: cache.Snapshot) -> tuple:
    g._kept_periods = cache.ALL
    return (tuple(sorted(snap.versions.items())), tuple(sorted(snap.counters.items())), _contexts(snap),
            today().isoformat())


def all_part() -> cache.Part:
    """What a page that reads every period rests on (the comparison page's trends)."""
    return cache.Part(None, cache.ALL, _all_key)


def check_context(period: int, version: int, verified: bool, counter: int, stamp: str | None, *,
                  stored: dt.datetime | None = None, claimed_until: dt.datetime | None = None) -> None:
    """Called with every shared context a request uses, by its identity (``counter``, ``stamp``;
    None: computed without being stored): one that is not the stored row the request's key names
    makes what is computed from it unfit to keep, unless this very request ``stored`` it (at that
    time): then it is kept under the new identity, the one the next request reads (cache.rekey).
    One used while another process recomputes it is kept only until that claim lapses."""
    snap, key = g.get("_cache_snapshot"), (period, version, verified)
    named = None if snap is None else snap.contexts.get(key)
    if stored is not None and snap is not None and "_kept_contexts" in g and (
            snap.periods == cache.ALL or period in snap.periods):
        old = g._kept_contexts
        g._cache_snapshot = dataclasses.replace(snap, contexts={**snap.contexts, key: (counter, stamp, stored)})
        cache.rekey(old, _contexts(g._cache_snapshot))
    elif named is None or stamp is None or named[:2] != (counter, stamp):
        cache.uncacheable()
    elif claimed_until is not None:
        cache.expires(claimed_until)


def check_period(period: int) -> None:
    """Called by what computes from every rating of a period in the request (methodology 1): unfit
    to keep unless the request's key holds that period's counter."""
    named = g.get("_kept_periods", ())
    if named != cache.ALL and period not in named:
        cache.uncacheable()


def keep_page(part: cache.Part, render) -> bytes | str:
    """An anonymous GET page kept under what ``part`` reads (with its path, language and the address
    it was asked at, which its absolute links name, as the front's copies are per host); any other
    request, or a page that touched the session, rendered as usual."""
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
    read = part.read()
    value = cache.kept(("page", request.host_url, request.full_path, g.get("lang"), *read), make, front=(part, read))
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



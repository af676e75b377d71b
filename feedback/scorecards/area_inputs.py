"""What a comparison of areas (``card.compare_areas``) reads besides the ratings: every
municipality's state index (those that have one) and the registered tracks' period indices
(``tracks.period_indices``; the responsiveness track reads every published comment of the period).

They rest on the reference and ``scorecard`` versions and on time alone (scorecards/kept.py: the
state evaluations, the methodology and the tracks' tables bump ``scorecard``, and so does every
change of a rating that shows or hides a comment), never on a period's rating counter. So they are
kept (``cache.kept``: in this process and, with REDIS_URL, for every process) under those versions
and the date, until the first answer deadline they met: a new rating, which makes every kept
comparison miss, then costs only the rating aggregates. Served from memory or computed, that
deadline is passed on to whatever keeps the request's response (``cache.expires``).

When those versions move, they are recomputed once, not by every worker at once: the first process
to miss claims the computation (in Redis with REDIS_URL, else in this process); the others meanwhile
serve the last inputs computed for the period and methodology version and keep nothing made from
them (``cache.uncacheable``), as with a stale shared context (context.py). A claim older than
``CLAIM_SECONDS`` is taken to be a crashed worker's.
"""
import datetime as dt
import json
import threading
import time

from flask import g

from .. import cache
from . import kept, queries, tracks
from .scorecard import state_tracks

CLAIM_SECONDS = 60
LATEST_SECONDS = 24 * 3600  # how long Redis holds the last inputs of a period for the others to serve

_latest: dict[tuple[int, int], bytes] = {}  # (period, version) → the last inputs this process computed
_claims: dict[tuple[int, int], float] = {}  # (period, version) → when this process's claim lapses
_lock = threading.Lock()


def get(period: int, params) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    """(municipality → state index, track key → {municipality → index}) of the period under ``params``."""
    name = (period, params.version)

    def make() -> bytes:
        if cache.written():  # inside a transaction of its own: neither claimed nor shared
            return _compute(period, params)
        if not _claim(name):
            stale = _stored(name)
            if stale is not None:
                cache.uncacheable()
                return stale
        try:
            value = _compute(period, params)
        finally:
            _release(name)
        _store(name, value)
        return value

    # In Redis as long as the last inputs (not cache.SHARED_TTL): under their versions and the date they
    # hold until a deadline (``until``), and making them again costs seconds at millions of ratings
    # (1.4 s for SQLite 4.86 M), which a worker would otherwise pay every 15 minutes inside a request.
    found = json.loads(cache.kept(("area-inputs", *name, *kept.versions()), make, shared_ttl=LATEST_SECONDS))
    if found["until"] is not None:
        cache.expires(dt.datetime.fromtimestamp(found["until"], dt.UTC))
    return found["state"], found["extra"]


def _compute(period: int, params) -> bytes:
    states = state_tracks(queries.state_indicator_scores(period, stream=True), params, indicators=False)
    extra = tracks.period_indices(period, params)
    until = g.get("_cache_expires")  # the first deadline met while computing (answers/queries.py)
    return json.dumps({"state": {m: s["index"] for m, s in states.items() if s["index"] is not None},
                       "extra": extra, "until": until.timestamp() if until is not None else None}).encode()


def _redis_key(kind: str, name: tuple[int, int]) -> str:
    return f"feedback:area-inputs:{kind}:{name[0]}:{name[1]}"


def _claim(name: tuple[int, int]) -> bool:
    from redis.exceptions import RedisError

    shared = cache._shared()
    if shared is not None:
        try:
            return bool(shared.set(_redis_key("claim", name), b"1", nx=True, ex=CLAIM_SECONDS))
        except RedisError:
            pass
    now = time.monotonic()
    with _lock:
        if _claims.get(name, 0.0) > now:
            return False
        _claims[name] = now + CLAIM_SECONDS
        return True


def _release(name: tuple[int, int]) -> None:
    from redis.exceptions import RedisError

    with _lock:
        _claims.pop(name, None)
    shared = cache._shared()
    if shared is not None:
        try:
            shared.delete(_redis_key("claim", name))
        except RedisError:
            pass


def _store(name: tuple[int, int], value: bytes) -> None:
    from redis.exceptions import RedisError

    with _lock:
        _latest[name] = value
    shared = cache._shared()
    if shared is not None:
        try:
            shared.set(_redis_key("latest", name), value, ex=LATEST_SECONDS)
        except RedisError:
            pass


def _stored(name: tuple[int, int]) -> bytes | None:
    from redis.exceptions import RedisError

    shared = cache._shared()
    if shared is not None:
        try:
            found = shared.get(_redis_key("latest", name))
            if found is not None:
                return found
        except RedisError:
            pass
    with _lock:
        return _latest.get(name)

"""The peer context of a period (version-2 methodology), one truth shared by every process.

A scorecard reads its own municipality's n, mean and distribution from the aggregates on every
request. What it needs from the rest of the country — the subject effects, each peer group's μ and
τ², every unit's estimate, interval, funnel class and rank intervals — is the *context*: computed
from the aggregates in one pass (SQL + numpy), stored in ``scorecard_context`` keyed by period,
methodology version and mode, together with the period's counter (``period_counter``, bumped in the
transaction of every rating change) it was computed at.

When the stored counter differs from the period's, the context is stale. A stale context computed
less than ``SCORECARD_CONTEXT_MIN_SECONDS`` ago (config; default 10) is used as it is, by every
process: under a stream of ratings it changes at most once per interval, and with it the key of
every kept card (scorecards/kept.py), while each card's own n, mean and distribution are read live.
Past that, the first process to claim it (a compare-and-set on ``computing_since``, committed in a
session of its own) recomputes and stores it; the others use the stored one meanwhile, so it is
recomputed once, not by every worker at once, and every process reads the same numbers. A process keeps nothing but the parse of
a stored row, used only while that very row is current (see ``_parsed``).
"""
import datetime as dt
import json
import secrets
import threading

import numpy as np
from sqlalchemy import insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..db import as_utc, db, utcnow
from . import kept, queries, scoring
from .models import PeriodCounter, ScorecardContext

CLAIM_SECONDS = 60  # a claim older than this is taken to be a crashed worker's


def group_keys(units: dict, published_codes: list[str], min_peers: int) -> dict[str, str]:
    """Peer group of each unit: region × kind when that group has ``min_peers`` published units,
    else the kind nationally (when it has them), else none ("")."""
    by_region_kind: dict[tuple, int] = {}
    by_kind: dict[str, int] = {}
    for code in published_codes:
        u = units[code]
        by_region_kind[u.region_code, u.kind] = by_region_kind.get((u.region_code, u.kind), 0) + 1
        by_kind[u.kind] = by_kind.get(u.kind, 0) + 1
    keys = {}
    for code, u in units.items():
        if by_region_kind.get((u.region_code, u.kind), 0) >= min_peers:
            keys[code] = f"{u.region_code}:{u.kind}"
        elif by_kind.get(u.kind, 0) >= min_peers:
            keys[code] = u.kind
        else:
            keys[code] = ""
    return keys


def factorize(values: list[str]) -> tuple[list[str], np.ndarray]:
    """(the distinct values sorted, each value's index among them): ``np.unique(values,
    return_inverse=True)`` without sorting every value (a dict pass, then a sort of the few distinct)."""
    index: dict[str, int] = {}
    first = np.fromiter((index.setdefault(v, len(index)) for v in values), dtype=np.intp, count=len(values))
    ordered = sorted(index)
    position = np.empty(len(ordered), dtype=np.intp)
    position[[index[v] for v in ordered]] = np.arange(len(ordered))
    return ordered, position[first]


def peer_group(ctx: dict, code: str, unit) -> str:
    """A unit's peer group in a computed context: the one stored for it, else (a unit the context
    does not list or left without a group) region × kind, else kind, when the context has that group;
    else none (""). The scorecard (card.citizen_live) and the comparisons both ask here."""
    group = ctx["units"].get(code, {}).get("group")
    if group:
        return group
    if unit is None:
        return ""
    for key in (f"{unit.region_code}:{unit.kind}", unit.kind):
        if key in ctx["groups"]:
            return key
    return ""


def compute(period: int, params, verified: bool = False) -> dict:
    """The context as plain JSON-able data (see the module's docstring)."""
    c = scoring.Constants.from_params(params.values)
    units = queries.current_units()
    # (municipality, subject, n, total, total_sq) per cell, as one array: numpy splits the columns
    # (a transpose in Python costs more than the query).
    table = np.array(queries.period_cells(period, verified), dtype=object).reshape(-1, 5)
    all_codes, ui = factorize(table[:, 0].tolist())
    known = np.array([code in units for code in all_codes], dtype=bool)  # in force (one test per unit)
    keep = known[ui]
    table, codes = table[keep], [code for code, ok in zip(all_codes, known.tolist(), strict=True) if ok]
    ui = (np.cumsum(known) - 1)[ui[keep]]
    subjects, sj = factorize(table[:, 1].tolist())
    s_index = {code: j for j, code in enumerate(subjects)}
    n_c, t_c, q_c = (table[:, i].astype(float) for i in (2, 3, 4))
    rows = len(n_c)
    k_units = len(codes)
    b = scoring.subject_effects(ui, sj, n_c, t_c, k_units, len(subjects)) if rows else np.zeros(0)
    n = np.bincount(ui, weights=n_c, minlength=k_units)
    total = np.bincount(ui, weights=t_c, minlength=k_units)
    total_sq = np.bincount(ui, weights=q_c, minlength=k_units)
    adjust = np.bincount(ui, weights=n_c * b[sj], minlength=k_units) if rows else np.zeros(0)
    theta = (total - adjust) / np.where(n > 0, n, 1)
    cluster = None
    if not verified:
        found = queries.period_clusters(period)
        cl = np.array([found.get(code, (0, 0, 0, 0)) for code in codes], float).reshape(-1, 4)
        cluster = tuple(cl[:, i] for i in range(4))
    # Anti-stuffing (methodology 2): a unit whose ratings came from too few distinct addresses is
    # neither published nor part of its peers' statistics (card.citizen_live applies the same rule).
    min_addresses = int(params.values.get("min_distinct_addresses", 1))
    eligible = np.ones(k_units, dtype=bool)
    if min_addresses > 1 and k_units:
        addresses = queries.period_unit_addresses(period)
        eligible = np.array([addresses.get(code, 0) >= min_addresses for code in codes], dtype=bool)
    published_codes = [code for code, nn, ok in zip(codes, n, eligible, strict=True) if nn >= c.min_sample and ok]
    keys = group_keys(units, published_codes, c.min_peers) if params["shrinkage"]["enabled"] else {}
    group_names = sorted({keys.get(code, "") for code in codes} - {""})
    g_index = {name: i for i, name in enumerate(group_names)}
    group = np.array([g_index.get(keys.get(code, ""), -1) for code in codes], dtype=int)
    s = scoring.score_units(n, total, total_sq, group, len(group_names), c, theta=theta, cluster=cluster,
                           eligible=eligible)

    published = ~np.isnan(s.est)
    classes = np.zeros(k_units, dtype=int)
    for gi in range(len(group_names)):
        members = np.flatnonzero(published & (group == gi))
        if len(members):
            raw = scoring.funnel(s.theta[members], s.v[members], s.mu[members], s.precision[members],
                                 s.k[members], c.alpha)
            classes[members] = scoring.consistent_classes(raw, s.low[members], s.high[members])
    sd = np.sqrt(s.mse)
    ranks: dict[str, dict[str, list[int]]] = {code: {} for code in codes}
    pub = np.flatnonzero(published)
    seed = period * 1000 + params.version

    def rank(scope: str, members: np.ndarray, salt: int) -> None:
        low, high = scoring.rank_intervals(s.est[members], sd[members], c.rank_level, c.rank_draws, seed + salt)
        size = len(members)
        for m, lo, hi in zip(members.tolist(), low.tolist(), high.tolist(), strict=True):
            ranks[codes[m]][scope] = [lo, hi, size]

    rank("nation", pub, 0)
    region_of = np.array([units[code].region_code for code in codes], dtype=object)
    for salt, region in enumerate(sorted(set(region_of[pub])), start=1):
        rank("region", pub[region_of[pub] == region], salt)

    def f(x):
        return None if x is None or np.isnan(x) else float(x)

    groups = {}
    for name, gi in g_index.items():
        members = np.flatnonzero(group == gi)
        # The group's statistics as its published members carry them (an unpublished member — too
        # few ratings or addresses — carries none).
        shown = members[published[members]]
        first = shown[0] if len(shown) else members[0]
        groups[name] = {"mu": f(s.mu[first]), "tau2": f(s.tau2[first]), "k": int(s.k[first]),
                        "precision": f(s.precision[first]),
                        "var_tau2": f(2 * np.sum((s.tau2[members][published[members]] + s.v[members][published[members]]) ** 2)
                                      / max(int(s.k[first]), 1) ** 2)}
    def column(x: np.ndarray) -> list:  # NaN (not published) → None, as plain floats
        return [None if value != value else value for value in x.tolist()]

    shown_class = [cls if pub else None for cls, pub in zip(classes.tolist(), published.tolist(), strict=True)]
    per_unit = zip(codes, n.astype(int).tolist(), theta.tolist(), s.v.tolist(), column(s.est), column(s.mse),
                   column(s.low), column(s.high), shown_class, strict=True)
    return {
        "period": period, "version": params.version, "verified": verified,
        "subject_effects": {code: float(b[j]) for code, j in s_index.items()},
        "groups": groups,
        "units": {code: {"group": keys.get(code, ""), "n": nn, "theta": th, "v": vv, "est": est, "mse": mse,
                         "low": low, "high": high, "class": cls, "rank": ranks[code]}
                  for code, nn, th, vv, est, mse, low, high, cls in per_unit},
    }


def _own_session() -> Session:
    """A session of its own (its own transaction in production), so the claim and the stored
    context are committed even when the request that computed them only reads."""
    return Session(bind=db.engine, join_transaction_mode="create_savepoint")


def _claim(period: int, version: int, verified: bool, exists: bool) -> bool:
    now = utcnow()
    with _own_session() as session:
        try:
            if not exists:
                session.execute(insert(ScorecardContext).values(period=period, version=version, verified=verified,
                                                                counter=-1, payload="", computing_since=now))
                session.commit()
                return True
            result = session.execute(
                update(ScorecardContext)
                .where(ScorecardContext.period == period, ScorecardContext.version == version,
                       ScorecardContext.verified == verified,
                       or_(ScorecardContext.computing_since.is_(None),
                           ScorecardContext.computing_since < now - dt.timedelta(seconds=CLAIM_SECONDS)))
                .values(computing_since=now))
            session.commit()
            return result.rowcount == 1
        except IntegrityError:
            session.rollback()
            return False


def _store(period: int, version: int, verified: bool, counter: int, payload: dict) -> tuple[str, dt.datetime]:
    """Store the payload computed at ``counter``; the new row's stamp and time."""
    stamp, now = secrets.token_hex(8), utcnow()
    with _own_session() as session:
        session.execute(update(ScorecardContext)
                        .where(ScorecardContext.period == period, ScorecardContext.version == version,
                               ScorecardContext.verified == verified)
                        .values(counter=counter, payload=json.dumps(payload), computed_at=now,
                                stamp=stamp, computing_since=None))
        session.commit()
    return stamp, now


# The parsed payload of the last current context this process read, per (period, version, verified):
# (counter, stamp, parsed). Not a copy of the truth but a parse of it, used only when the row the
# database holds now — its counter and stamp, read in the same request — is the very row it was
# parsed from, and that row is usable (current: its counter equals the period's counter read in the
# same statement; or stale but young, see ``get``). A stored row
# with a given (counter, stamp) never changes (storing a context writes a new random stamp), so the
# memo is exactly what json.loads of the stored payload would give: every
# process still reads both counters from the database on every request, and a rating (which bumps
# the counter in its own transaction) shows on the very next request of any process
# (tests/scorecards/test_two_processes.py). It saves fetching and parsing ~150 KB of JSON (several
# ms per request). Callers must not mutate what ``get`` returns.
_parsed: dict[tuple[int, int, bool], tuple[int, str, dict]] = {}
_parsed_lock = threading.Lock()
PARSED_MAX = 8  # contexts kept parsed (the current and previous period of a version or two), ~1 MB each


def _remember(key: tuple[int, int, bool], counter: int, stamp: str, payload: dict) -> None:
    with _parsed_lock:
        _parsed.pop(key, None)
        _parsed[key] = (counter, stamp, payload)
        while len(_parsed) > PARSED_MAX:
            _parsed.pop(next(iter(_parsed)))


def _stored_stamp(period: int, version: int, verified: bool) -> tuple[int, int | None, str | None, object]:
    """(the period's counter, the stored context's counter, stamp and when it was computed, or None,
    None, None), in one statement on the request's session."""
    where = (ScorecardContext.period == period, ScorecardContext.version == version,
             ScorecardContext.verified == verified, ScorecardContext.payload != "")
    current = select(PeriodCounter.counter).where(PeriodCounter.period == period).scalar_subquery()
    row = db.session.execute(select(current, select(ScorecardContext.counter).where(*where).scalar_subquery(),
                                    select(ScorecardContext.stamp).where(*where).scalar_subquery(),
                                    select(ScorecardContext.computed_at).where(*where).scalar_subquery())).one()
    return int(row[0] or 0), (None if row[1] is None else int(row[1])), row[2], row[3]


def get(period: int, params, verified: bool = False) -> dict:
    """The period's context: the stored one when current, or when stale but computed less than
    SCORECARD_CONTEXT_MIN_SECONDS ago (``kept.young``: so that it changes, and with it every kept
    card, at most once per interval under a stream of ratings); else recomputed (and stored) by the
    one process that claims it; the stored one meanwhile for the others. Every context returned is
    shown to the response cache (``kept.check_context``) with its identity (counter, stamp)."""
    found = _get(period, params, verified)
    stored, computed_at, claimed_until = (found.pop(k, None) for k in ("stored", "computed_at", "claimed_until"))
    kept.check_context(period, params.version, verified, found["counter"], found["stamp"],
                       stored=(computed_at if stored else None), claimed_until=claimed_until)
    return found


def _get(period: int, params, verified: bool = False) -> dict:
    key = (period, params.version, verified)
    counter, stored, stamp, computed_at = _stored_stamp(period, params.version, verified)
    memo = _parsed.get(key)
    if (stored is not None and (stored == counter or kept.young(computed_at))
            and memo is not None and memo[0] == stored and memo[1] == stamp):
        return {**memo[2], "counter": stored, "stamp": stamp, "current": stored == counter}
    with _own_session() as session:
        row = session.execute(select(ScorecardContext.counter, ScorecardContext.stamp, ScorecardContext.payload,
                                     ScorecardContext.computed_at, ScorecardContext.computing_since)
                              .where(ScorecardContext.period == period, ScorecardContext.version == params.version,
                                     ScorecardContext.verified == verified)).first()
    if row is not None and row.payload and (row.counter == counter or kept.young(row.computed_at)):
        payload = json.loads(row.payload)
        _remember(key, row.counter, row.stamp, payload)
        return {**payload, "counter": row.counter, "stamp": row.stamp, "current": row.counter == counter}
    if _claim(period, params.version, verified, exists=row is not None):
        payload = compute(period, params, verified)
        stamp, computed_at = _store(period, params.version, verified, counter, payload)
        _remember(key, counter, stamp, json.loads(json.dumps(payload)))  # as other processes parse it
        return {**payload, "counter": counter, "stamp": stamp, "current": True, "stored": True,
                "computed_at": computed_at}
    if row is not None and row.payload:
        # Another process is recomputing it: until its claim lapses (a crashed worker's), the stored one.
        now = utcnow()
        since = None if row.computing_since is None else as_utc(row.computing_since)
        if since is None or since < now - dt.timedelta(seconds=CLAIM_SECONDS):
            since = now
        return {**json.loads(row.payload), "counter": row.counter, "stamp": row.stamp, "current": False,
                "claimed_until": since + dt.timedelta(seconds=CLAIM_SECONDS)}
    return {**compute(period, params, verified), "counter": counter, "stamp": None, "current": True}

"""What a scorecard request no longer pays for, with the numbers unchanged: the sample composition
comes from aggregates kept in the rating's transaction (not from the ratings), and a process reuses
its parse of the stored peer context only while the database still holds that very row as current."""
import json

from sqlalchemy import update

from feedback.db import db
from feedback.scorecards import context as shared
from feedback.scorecards import methodology as mth
from feedback.scorecards.models import ScorecardContext
from tests.scorecards.helpers import AK_BULUN, KARAKOL, rate, respondent

YEAR = 2018


def _shares(ratings, dimension, channel=None):
    counts = {}
    for r in ratings:
        if r["status"] == "accepted" and (channel is None or r["channel"] == channel):
            key = r[dimension] or "unknown"
            counts[key] = counts.get(key, 0) + 1
    total = sum(counts.values())
    return {k: mth.rounded(v / total, 3) for k, v in sorted(counts.items())} if total else {}


def test_the_composition_is_the_shares_of_the_accepted_ratings_as_stated(app, client):
    people = [respondent() for _ in range(9)]
    stated = [("female", "18_29", "web"), ("male", None, "web"), (None, "60_plus", "sms"), ("female", "30_44", "sms"),
              ("female", None, "web"), ("male", "18_29", "assisted"), (None, None, "web"), ("male", "45_59", "web"),
              ("female", "60_plus", "web")]
    mine = {}
    for who, (sex, age, channel) in zip(people, stated, strict=True):
        rate(who, AK_BULUN, "LI-WATER", 4, YEAR, channel=channel, sex=sex, age_band=age)
        mine[who.id] = {"sex": sex, "age_band": age, "channel": channel, "status": "accepted"}
    rate(people[0], KARAKOL, "LI-WATER", 3, YEAR, sex="male")  # another municipality: not counted here
    # A replacement that changes what the resident stated (and the channel) moves the counts.
    rate(people[1], AK_BULUN, "LI-WATER", 2, YEAR, channel="sms", sex="female", age_band="under_18")
    mine[people[1].id].update(sex="female", age_band="under_18", channel="sms")
    # A replacement caught by the anti-stuffing rules leaves the accepted ratings.
    rate(people[2], AK_BULUN, "LI-WATER", 5, YEAR, quarantine=True, channel="sms")
    mine[people[2].id]["status"] = "quarantined"
    db.session.flush()
    for channel in (None, "sms"):
        query = f"?period={YEAR}" + (f"&channel={channel}" if channel else "")
        body = client.get(f"/api/v1/municipalities/{AK_BULUN}/scorecard{query}").get_json()
        composition = body["citizen"]["composition"]
        for dimension in ("sex", "age_band"):
            assert composition[dimension] == _shares(mine.values(), dimension, channel), (channel, dimension)
        # All channels: 8 accepted (5 women, 2 men, 1 unstated); SMS: the two women (the third is quarantined).
        assert composition["sex"] == ({"female": 0.625, "male": 0.25, "unknown": 0.125} if channel is None
                                      else {"female": 1.0})


def test_a_process_reuses_its_parse_only_while_the_stored_row_is_current(app, monkeypatch):
    # The end reads the context again right after a rating: recomputed at once only with no minimum
    # interval between recomputations (the default keeps a stale one for 10 s: test_kept.py).
    monkeypatch.setitem(app.config, "SCORECARD_CONTEXT_MIN_SECONDS", 0)
    params = mth.get()
    who = respondent()
    rate(who, AK_BULUN, "LI-WATER", 4, YEAR)
    parses = []
    real = json.loads
    monkeypatch.setattr(shared.json, "loads", lambda text, *a, **k: parses.append(1) or real(text, *a, **k))
    first = shared.get(YEAR, params)  # computed and stored by this process, kept as parsed from its JSON
    shared._parsed.clear()  # as in a process that did not compute it
    second = shared.get(YEAR, params)  # read from the database and parsed
    assert len(parses) == 2
    third = shared.get(YEAR, params)  # the same row, still current: its parse is reused
    assert len(parses) == 2
    assert json.loads(json.dumps(first)) == second == third
    # Another process stores a context under the same counter (a new stamp): this one reads it.
    stored = db.session.get(ScorecardContext, (YEAR, params.version, False))
    other = {**real(stored.payload), "subject_effects": {"LI-WATER": 0.123}}
    db.session.execute(update(ScorecardContext).where(ScorecardContext.period == YEAR)
                       .values(payload=json.dumps(other), stamp="other-process"))
    assert shared.get(YEAR, params)["subject_effects"] == {"LI-WATER": 0.123}
    # A rating bumps the period's counter in its transaction: the very next read is of a new context.
    rate(respondent(), AK_BULUN, "LI-WATER", 2, YEAR)
    fresh = shared.get(YEAR, params)
    assert fresh["counter"] == third["counter"] + 1 and fresh["units"][AK_BULUN]["n"] == 2

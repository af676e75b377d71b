"""A comparison reads a national period's state evaluations as a stream and keeps only each power's
index (compare.queries.state_of_period): the same numbers as the scorecard's full state track, without
holding tens of thousands of rows and indicator entries at once (a worker's peak memory)."""
import types

from feedback.scorecards import methodology as mth
from feedback.scorecards import queries
from feedback.scorecards.scorecard import state_tracks

from .conftest import YEAR


def _params():
    return mth.Params(2, mth.get(2))


def test_the_streamed_rows_are_the_rows(known):
    listed = queries.state_indicator_scores(YEAR)
    streamed = queries.state_indicator_scores(YEAR, stream=True)
    assert isinstance(streamed, types.GeneratorType)
    assert len(listed) > 10 and list(streamed) == listed


def test_the_rows_are_read_a_thousand_at_a_time(known, monkeypatch):
    reads = []
    real = queries._raw_cursor

    def spied(stmt):
        cursor = real(stmt)

        class Counting:
            def fetchmany(self, size):
                reads.append(size)
                return cursor.fetchmany(size)

            def close(self):
                cursor.close()

        return Counting()

    monkeypatch.setattr(queries, "_raw_cursor", spied)
    assert list(queries.state_indicator_scores(YEAR, stream=True))
    assert reads and set(reads) == {1000}


def test_the_indices_without_the_indicators_are_the_cards_indices(known):
    params = _params()
    full = state_tracks(queries.state_indicator_scores(YEAR), params)
    lean = state_tracks(queries.state_indicator_scores(YEAR, stream=True), params, indicators=False)
    assert full and lean.keys() == full.keys()
    for code, track in full.items():
        assert lean[code]["index"] == track["index"]
        for power, entry in track["powers"].items():
            assert entry["indicators"]  # the card lists them
            assert lean[code]["powers"][power]["indicators"] == []
            for key in ("agency", "index", "support_index", "lsg", "support"):
                assert lean[code]["powers"][power][key] == entry[key]

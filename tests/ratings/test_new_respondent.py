"""A respondent created by the request has no rating yet: submit_rating skips the reads that would
find none (the earlier rating to replace, the device's burst count, the cluster totals), and only
until that respondent's first rating is written."""
from feedback.ratings.abuse import request_signals
from feedback.ratings.respondents import current_respondent, without_ratings
from feedback.ratings.services import RatingInput, current_period, submit_rating
from feedback.scorecards.aggregates import differences, recompute_cluster_aggregates, stored_cluster_aggregates
from tests.ratings.test_views import AK_BULUN, ratings


def _request(app):
    return app.test_request_context("/api/v1/ratings", method="POST", environ_base={"REMOTE_ADDR": "10.9.8.7"})


def test_a_new_respondents_later_ratings_in_the_same_request_are_read_for(app, session, monkeypatch):
    monkeypatch.setitem(app.config, "ABUSE_BURST_PER_DEVICE", 1)
    with _request(app):
        who = current_respondent()
        assert without_ratings(who.id)
        signals = request_signals(AK_BULUN, who.id)
        first = submit_rating(RatingInput(AK_BULUN, "LI-WATER", 5), who, signals)
        assert (first.status, first.replaced) == ("accepted", False)
        assert not without_ratings(who.id)
        # The same subject again replaces the first (found by the read the first rating skipped) ...
        again = submit_rating(RatingInput(AK_BULUN, "LI-WATER", 2), who, signals)
        assert (again.rating_id, again.replaced, again.status) == (first.rating_id, True, "accepted")
        # ... and the device's burst count sees the rating already stored.
        other = submit_rating(RatingInput(AK_BULUN, "LI-ROADS", 4), who, signals)
        assert (other.status, other.rating.quarantine_rule) == ("quarantined", "burst_device")
    assert sorted((r.subject_code, r.overall) for r in ratings()) == [("LI-ROADS", 4), ("LI-WATER", 2)]


def test_a_new_respondents_cluster_sums_equal_a_recomputation(app, session):
    with _request(app):
        who = current_respondent()
        signals = request_signals(AK_BULUN, who.id)
        for subject, overall in (("LI-WATER", 5), ("LI-ROADS", 2), ("MS-INFO", 4)):
            assert submit_rating(RatingInput(AK_BULUN, subject, overall), who, signals).status == "accepted"
    stored = {key: row for key, row in stored_cluster_aggregates().items() if key == (AK_BULUN, current_period())}
    recomputed = {key: row for key, row in recompute_cluster_aggregates().items()
                  if key == (AK_BULUN, current_period())}
    assert recomputed and differences(stored, recomputed) == []

"""Channels in the numbers: the scorecard JSON and the open-data CSV count ratings by channel."""
import csv
import io

from feedback.ratings.services import current_period
from tests.scorecards.helpers import AK_BULUN, rate, respondent


def _rate(channel, overall, subject="LI-WATER", quarantine=False):
    from feedback.ratings.abuse import Signals
    from feedback.ratings.services import RatingInput, submit_rating

    who = respondent()
    signals = Signals(municipality_code=AK_BULUN, respondent_id=who.id, address_hash="", honeypot="bot" if quarantine else "")
    return submit_rating(RatingInput(AK_BULUN, subject, overall, channel=channel), who, signals).rating


def test_scorecard_json_and_csv_count_by_channel(client):
    _rate("web", 2)
    _rate("sms", 4)
    _rate("sms", 5, "LI-ROADS")
    _rate("assisted", 3)
    _rate("offline_web", 1, quarantine=True)
    body = client.get(f"/api/v1/municipalities/{AK_BULUN}/scorecard").get_json()
    assert body["channels"] == {
        "web": {"n": 1, "mean": 2.0, "n_quarantined": 0}, "offline_web": {"n": 0, "mean": None, "n_quarantined": 1},
        "sms": {"n": 2, "mean": 4.5, "n_quarantined": 0}, "assisted": {"n": 1, "mean": 3.0, "n_quarantined": 0}}
    assert body["citizen"]["n"] == 4  # every accepted rating counts, whatever its channel

    response = client.get(f"/data/ratings-by-channel.csv?period={current_period()}")
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    [row] = [r for r in rows if r["soate"] == AK_BULUN]
    assert (row["web"], row["offline_web"], row["sms"], row["assisted"], row["quarantined"]) == ("1", "0", "2", "1", "1")
    assert row["name_ru"] and row["period"] == str(current_period())
    empty = client.get("/data/ratings-by-channel.csv?period=1999").get_data(as_text=True)
    assert empty.strip().count("\n") == 0  # the header only


def test_rate_helper_is_web_by_default():
    assert rate(respondent(), AK_BULUN, "LI-LIGHT", 4, current_period()).channel == "web"

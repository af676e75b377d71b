"""After a rollback (the database failed in the middle of a request) the response hooks must not
touch the database again: the answer is a 503 with Retry-After, never a 500, and no cookie names a
respondent that was never stored."""
from sqlalchemy.exc import OperationalError

from feedback.ratings import services
from tests.ratings.test_views import AK_BULUN, Resident


def test_database_failing_mid_request_gives_503_without_a_cookie(app, monkeypatch):
    def fail(*args, **kwargs):
        raise OperationalError("INSERT …", {}, Exception("server closed the connection unexpectedly"))

    monkeypatch.setattr("feedback.api.views.submit_rating", fail)
    resident = Resident(app)
    answer = resident.api({"municipality": AK_BULUN, "subject": "LI-WATER", "overall": 4})
    assert answer.status_code == 503 and answer.headers["Retry-After"]
    assert resident.cookie() is None
    assert services.submit_rating is not fail

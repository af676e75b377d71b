"""security.SignedSerializer: what a new visitor gets signed (session, CSRF token, form stamp) is
never offered to zlib, which cannot shorten it; longer payloads are, as itsdangerous does."""
import itsdangerous
import itsdangerous.url_safe
import pytest
from itsdangerous import URLSafeTimedSerializer

from feedback.ratings.models import Rating
from feedback.security import SignedSerializer
from tests.ratings.test_views import AK_BULUN, Resident, count


class NoZlib:
    def compress(self, data, *args):
        raise AssertionError("zlib tried on a short payload")

    def __getattr__(self, name):
        import zlib

        return getattr(zlib, name)


def test_a_new_visitor_gets_the_form_and_rates_without_any_zlib_attempt(app, monkeypatch):
    monkeypatch.setitem(app.config, "ABUSE_MIN_FILL_SECONDS", 0)
    monkeypatch.setattr(itsdangerous.url_safe, "zlib", NoZlib())
    resident = Resident(app)
    fields = resident.form(AK_BULUN, "LI-WATER")
    assert resident.client.get_cookie("session") is not None
    response = resident.post(f"/ru/m/{AK_BULUN}/rate/LI-WATER", data={**fields, "overall": "4"})
    assert response.status_code == 303, response.text
    assert count(Rating, Rating.status == "accepted") == 1


@pytest.mark.parametrize("payload", [{"csrf_token": "0" * 40}, "x" * 250, {"t": 1.5, "n": "abc"}])
def test_a_short_payload_is_not_compressed_and_itsdangerous_reads_it(payload):
    ours, theirs = SignedSerializer("key", salt="s"), URLSafeTimedSerializer("key", salt="s")
    signed = ours.dumps(payload)
    assert not signed.startswith(".")  # "x" * 250 would compress well: not tried below COMPRESS_FROM
    assert theirs.loads(signed) == payload


def test_a_long_payload_is_still_compressed_and_read_back():
    ours = SignedSerializer("key", salt="s")
    signed = ours.dumps({"flashes": ["the same message"] * 40})
    assert signed.startswith(".")  # itsdangerous' mark of a compressed payload
    assert URLSafeTimedSerializer("key", salt="s").loads(signed) == {"flashes": ["the same message"] * 40}


def test_the_kept_signer_signs_with_the_current_key_and_reads_the_fallbacks():
    old, current = SignedSerializer("old key", salt="s"), SignedSerializer(["old key", "new key"], salt="s")
    made_before = old.dumps({"csrf_token": "a" * 40})
    for _ in range(2):  # the kept signer and its kept key, used again
        signed = current.dumps({"csrf_token": "b" * 40})
        assert URLSafeTimedSerializer("new key", salt="s").loads(signed) == {"csrf_token": "b" * 40}
        assert current.loads(made_before) == {"csrf_token": "a" * 40}
    with pytest.raises(itsdangerous.BadSignature):
        SignedSerializer("new key", salt="other").loads(signed)

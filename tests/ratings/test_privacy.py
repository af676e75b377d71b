"""Privacy: personal data masked in comments before storage, never in a log, and a retention rule
that changes no published aggregate."""
import datetime as dt
import logging

from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from feedback import create_app
from feedback.db import db
from feedback.ratings.models import PhoneVerification, Rating
from feedback.ratings.retention import REKEYED, apply_retention
from feedback.ratings.services import RatingInput, submit_rating
from feedback.scorecards import aggregates, queries
from tests.ratings.test_views import AK_BULUN, Resident, new_respondent

PHONE, EMAIL = "+996 700 111 222", "aibek.s@example.kg"


def test_phones_and_emails_in_comments_are_masked_before_storage(app):
    answer = Resident(app).api({"municipality": AK_BULUN, "subject": "LI-WATER", "overall": 2,
                                "comment": f"Звоните мне: {PHONE} же 0555123456, пишите {EMAIL}. Суу жок."})
    assert answer.status_code == 201
    rating = db.session.scalars(select(Rating)).one()
    assert "700" not in rating.comment and "0555123456" not in rating.comment and EMAIL not in rating.comment
    assert rating.comment.count("***") == 3 and rating.comment.endswith("Суу жок.")
    assert {"phone", "email", "masked"} <= set(rating.comment_flags.split(","))  # the moderator sees it


def test_the_moderator_is_told_what_was_masked(app, client, create_user, sign_in):
    Resident(app).api({"municipality": AK_BULUN, "subject": "LI-WATER", "overall": 2, "comment": f"тел {PHONE}"})
    sign_in(client, create_user("moderator"))
    with app.app_context():
        page = client.get("/ru/moderation/").get_data(as_text=True)
    assert "тел ***" in page and "скрыты" in page


def test_sql_parameters_never_reach_an_error_message(app, caplog):
    secret = "Мой номер +996555123456, токен abcdefghijklmnop"
    assert db.engine.engine.hide_parameters is True  # (the test binds a connection; its engine)
    try:
        with db.session.begin_nested():
            db.session.execute(text("INSERT INTO no_such_table (x) VALUES (:secret)"), {"secret": secret})
    except DBAPIError as exc:
        assert secret not in str(exc) and "+996555123456" not in str(exc)
    else:  # pragma: no cover
        raise AssertionError("the statement should have failed")


def test_a_failed_write_logs_no_comment_or_token(tmp_path, caplog):
    """The database is not there: the 503 is logged by its class, never with the statement's values."""
    broken = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'empty.sqlite3'}",
                         "SECRET_KEY": "privacy-test-secret-key-0123456789", "RATELIMIT_ENABLED": False})
    caplog.set_level(logging.DEBUG)
    client = broken.test_client()
    client.set_cookie("respondent", "a-token-that-must-not-be-logged")
    answer = client.post("/api/v1/ratings", json={"municipality": AK_BULUN, "subject": "LI-WATER", "overall": 2,
                                                  "comment": f"звоните {PHONE}"})
    assert answer.status_code == 503
    assert "700 111" not in caplog.text and "a-token-that-must-not-be-logged" not in caplog.text
    assert AK_BULUN not in caplog.text  # not even the statement's harmless parameters


def _rate(code, subject, overall, address, period):
    from feedback.ratings.abuse import Signals

    _rate.n = getattr(_rate, "n", 0) + 1
    respondent = new_respondent(db.session, f"retention-{_rate.n}-{id(object())}")
    signals = Signals(municipality_code=code, respondent_id=respondent.id, address_hash=address)
    return submit_rating(RatingInput(code, subject, overall), respondent, signals, period=period).rating


def test_retention_rekeys_old_addresses_without_changing_any_aggregate(app, session):
    old, current = 2024, None
    for i in range(12):
        _rate(AK_BULUN, "LI-WATER", 1 + i % 5, f"{i % 6:064x}", old)
    _rate(AK_BULUN, "LI-ROADS", 3, "a" * 64, old)
    recent = _rate(AK_BULUN, "LI-WATER", 4, "b" * 64, None)
    current = recent.period
    rejected = _rate(AK_BULUN, "LI-ROADS", 2, "c" * 64, old)
    rejected.comment, rejected.comment_status = "текст", "rejected"
    rejected.comment_moderated_at = dt.datetime(old + 1, 6, 1, tzinfo=dt.UTC)
    session.add(PhoneVerification(respondent_id=recent.respondent_id, phone_hash="p" * 64, code_hash="c" * 64,
                                  attempts=0, created_at=dt.datetime(old + 1, 6, 1, tzinfo=dt.UTC),
                                  expires_at=dt.datetime(old + 1, 6, 1, tzinfo=dt.UTC)))
    session.flush()

    def snapshot():
        return (sorted(map(tuple, queries.period_aggregates(old))), queries.distinct_addresses(old),
                Resident(app).get(f"/api/v1/municipalities/{AK_BULUN}/scorecard?period={old}").get_json())

    before = snapshot()
    later = dt.datetime(old + 2, 1, 2, tzinfo=dt.UTC)  # the period ended more than 365 days before
    dry = apply_retention(now=later, dry_run=True)
    assert dry["address_hashes"] == 14 and session.scalar(select(Rating.address_hash).where(Rating.id == rejected.id)) == "c" * 64
    done = apply_retention(now=later)
    session.expire_all()
    assert done["periods"] == 1 and done["address_hashes"] == 14 and done["rejected_comments"] == 1
    assert done["phone_verifications"] == 1
    assert snapshot() == before  # every count and every published score as it was
    # The per-address counts were re-keyed alike: still what the ratings give, and still in step.
    assert aggregates.differences(aggregates.stored_address_aggregates(), aggregates.recompute_address_aggregates()) == []
    kept = [key[2] for key in aggregates.stored_address_aggregates() if key[1] == old]
    assert kept and all(address.startswith(REKEYED) for address in kept)
    hashes = session.scalars(select(Rating.address_hash).where(Rating.period == old)).all()
    assert all(h.startswith(REKEYED) for h in hashes)
    assert session.get(Rating, recent.id).address_hash == "b" * 64 and current > old  # the open period is kept
    assert session.get(Rating, rejected.id).comment is None
    assert apply_retention(now=later)["address_hashes"] == 0  # nothing twice


def test_retention_command(app):
    result = app.test_cli_runner().invoke(args=["privacy", "retention", "--dry-run"])
    assert result.exit_code == 0 and "would change: periods" in result.output


def test_personal_data_key_rotation_keeps_verified_phones(app, session, monkeypatch):
    """Rotation (README): the new key in FEEDBACK_PERSONAL_DATA_KEY, the old one in
    FEEDBACK_PERSONAL_DATA_OLD_KEYS; a phone verified under the old key is still the same person."""
    from feedback.ratings.phone import confirm_code, request_code
    from feedback.ratings.respondents import keyed_hash

    phone = "+996555123456"
    old_key = app.config["PERSONAL_DATA_KEY"]
    first = new_respondent(session, "rotation-first")
    first.phone_hash = keyed_hash(phone, "phone")
    first.phone_verified_at = utcnow_()
    session.flush()
    monkeypatch.setitem(app.config, "PERSONAL_DATA_KEY", "a-new-personal-data-key-0123456789abcdef")
    monkeypatch.setitem(app.config, "PERSONAL_DATA_OLD_KEYS", old_key)
    second = new_respondent(session, "rotation-second")
    with app.test_request_context("/"):
        issued = request_code(second, "0555 12 34 56")
        assert confirm_code(second, issued.code) is first  # recognised: the same verified person
    assert first.phone_hash == keyed_hash(phone, "phone", "a-new-personal-data-key-0123456789abcdef")


def utcnow_():
    from feedback.db import utcnow

    return utcnow()

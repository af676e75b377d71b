"""Answers, promises, overdue (with a frozen clock), who may answer, who may judge, SMS failure."""
import datetime as dt

import pytest
import time_machine
from sqlalchemy import select

from feedback import delivery
from feedback.answers import queries, services
from feedback.answers.models import Answer
from feedback.answers.services import AnswerError, NotFound
from feedback.answers.services import today as local_today  # Kyrgyzstan's date, not the machine's
from feedback.audit.models import AuditEntry
from feedback.ratings.respondents import keyed_hash
from feedback.ratings.sms import SmsBackend, SmsError
from feedback.territory.models import Municipality

from .conftest import AK_BULUN

PHONE = "+996555123456"


def _answer(staff, comments, **kwargs):
    return services.answer_comments(staff, AK_BULUN, [c.id for c in comments], kwargs.pop("language", "ky"),
                                    kwargs.pop("body", "Быйыл суу түтүгүн алмаштырабыз."), **kwargs)


def test_staff_answer_a_group_on_one_subject_and_it_is_audited(session, staff, make_comment):
    a, b = make_comment("Суу жок"), make_comment("Вода только утром")
    answer = _answer(staff, [a, b])
    assert {c.rating_id for c in answer.comments} == {a.id, b.id}
    entry = session.scalar(select(AuditEntry).where(AuditEntry.entity == "answer").order_by(AuditEntry.id.desc()))
    assert entry.action == "answer.create" and entry.actor_id == staff.id
    assert "Быйыл суу" in entry.after


def test_only_that_municipalitys_staff_answer(session, other_staff, create_user, make_comment):
    comment = make_comment()
    for user in (other_staff, create_user("admin"), create_user("moderator")):
        with pytest.raises(NotFound):
            _answer(user, [comment])
    assert session.scalar(select(Answer)) is None


def test_only_published_comments_on_one_subject_once(staff, make_comment):
    with pytest.raises(AnswerError) as error:
        _answer(staff, [make_comment(status="pending")])
    assert error.value.field == "ratings"
    with pytest.raises(AnswerError, match="subjects"):
        _answer(staff, [make_comment(), make_comment(subject_code="LI-ROADS")])
    comment = make_comment()
    _answer(staff, [comment])
    with pytest.raises(AnswerError, match="answered"):
        _answer(staff, [comment])


def test_a_promise_needs_a_date_not_in_the_past(staff, make_comment):
    with pytest.raises(AnswerError) as error:
        _answer(staff, [make_comment()], promise="Түтүк алмаштырабыз")
    assert error.value.field == "promise_due"
    with pytest.raises(AnswerError, match="past"):
        _answer(staff, [make_comment()], promise="Түтүк", promise_due=local_today() - dt.timedelta(days=2))


def test_unanswered_comment_becomes_overdue_after_the_deadline(staff, make_comment):
    days = queries.constants()["answer_deadline_days"]
    comment = make_comment()
    assert not queries.staff_comments(AK_BULUN)[0].overdue
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=days, hours=1), tick=False):
        view = next(v for v in queries.staff_comments(AK_BULUN) if v.rating.id == comment.id)
        assert view.overdue
        assert queries.overdue_comments(AK_BULUN) >= 1
        _answer(staff, [comment])
        view = next(v for v in queries.staff_comments(AK_BULUN) if v.rating.id == comment.id)
        assert not view.overdue  # answered, late: no longer overdue, but not on time either
        counts = queries.responsiveness_counts(AK_BULUN, comment.period)
        assert counts["answered_on_time"] == (0, 1)


def test_promise_overdue_after_its_date_and_done_in_time_counts_as_kept(staff, make_comment):
    due = local_today() + dt.timedelta(days=10)
    answer = _answer(staff, [make_comment()], promise="Түтүк алмаштырабыз", promise_due=due)
    view = queries.open_promises(AK_BULUN)[0]
    assert not view.overdue
    with time_machine.travel(dt.datetime.combine(due + dt.timedelta(days=2), dt.time(12), dt.UTC), tick=False):
        assert queries.open_promises(AK_BULUN)[0].overdue
        assert queries.responsiveness_counts(AK_BULUN, answer.period)["promises_kept"] == (0, 1)
    with time_machine.travel(dt.datetime.combine(due - dt.timedelta(days=1), dt.time(12), dt.UTC), tick=False):
        services.mark_done(staff, answer.id, "Түтүк алмаштырылды")
        assert queries.responsiveness_counts(AK_BULUN, answer.period)["promises_kept"] == (1, 1)
    assert answer.promise_status == "done"


def test_done_photo_uses_the_evidence_checks(staff, make_comment):
    answer = _answer(staff, [make_comment()], promise="Түтүк", promise_due=local_today() + dt.timedelta(days=3))
    with pytest.raises(AnswerError) as error:
        services.mark_done(staff, answer.id, "Бүттү", "photo.jpg", b"not a jpeg")
    assert error.value.field == "photo" and answer.promise_status == "promised"
    with pytest.raises(AnswerError):
        services.mark_done(staff, answer.id, "Бүттү", "act.pdf", b"%PDF-1.4 ...")  # evidence, but not a photo
    services.mark_done(staff, answer.id, "Бүттү", "photo.jpg", b"\xff\xd8\xff\xe0 jpeg")
    assert answer.photo_type == "image/jpeg"


def test_only_the_comments_author_judges(session, staff, make_comment, resident):
    mine, theirs = make_comment(respondent=resident), make_comment()
    answer = _answer(staff, [mine, theirs])
    judgement = services.judge(resident, answer.id, mine.id, helpful="yes")
    assert judgement.helpful is True
    with pytest.raises(NotFound):
        services.judge(resident, answer.id, theirs.id, helpful="no")  # someone else's comment
    with pytest.raises(NotFound):
        services.judge(None, answer.id, mine.id, helpful="no")
    assert queries.responsiveness_counts(AK_BULUN, mine.period)["judged_helpful"] == (1, 1)


def test_residents_say_done_only_after_the_date_and_their_word_counts(staff, make_comment, resident):
    due = local_today() + dt.timedelta(days=5)
    comment = make_comment(respondent=resident)
    answer = _answer(staff, [comment], promise="Түтүк", promise_due=due)
    with pytest.raises(AnswerError, match="too_early"):
        services.judge(resident, answer.id, comment.id, done="yes")
    services.mark_done(staff, answer.id, "Бүттү")  # reported done in time…
    services.judge(resident, answer.id, comment.id, done="no")  # …but the resident says it was not
    assert queries.responsiveness_counts(AK_BULUN, comment.period)["promises_kept"] == (0, 1)


class FailingGateway(SmsBackend):
    def __init__(self):
        self.calls = 0

    def send(self, phone_e164, text):
        self.calls += 1
        raise SmsError("gateway down")


class RecordingGateway(SmsBackend):
    def __init__(self):
        self.sent = []

    def send(self, phone_e164, text):
        self.sent.append((phone_e164, text))


def test_sms_gateway_failure_loses_nothing(app, session, staff, make_comment, resident, monkeypatch):
    resident.phone_hash = keyed_hash(PHONE, "phone")
    resident.phone_verified_at = dt.datetime.now(dt.UTC)
    comment = make_comment(respondent=resident)
    with pytest.raises(AnswerError):
        services.opt_in_sms(resident, comment.id, "+996700000000", "ky")  # not the verified number
    notice = services.opt_in_sms(resident, comment.id, "0555 123 456", "ky")
    assert notice.status == "waiting" and PHONE not in notice.phone_cipher
    answer = _answer(staff, [comment])
    session.commit()  # the answer is committed before any SMS is tried
    failing = FailingGateway()
    monkeypatch.setitem(app.config, "SMS_BACKEND", failing)
    assert delivery.sweep("notice", "https://x/") == (0, 1)
    session.refresh(notice)
    assert failing.calls == 1 and notice.status == "due" and notice.attempts == 1
    assert session.get(Answer, answer.id) is not None
    assert delivery.sweep("notice", "https://x/") == (0, 0)  # waits a minute before the next try
    notice.next_attempt_at -= dt.timedelta(minutes=2)
    gateway = RecordingGateway()
    monkeypatch.setitem(app.config, "SMS_BACKEND", gateway)
    assert delivery.sweep("notice", "https://x/") == (1, 0)
    session.refresh(notice)
    assert notice.status == "sent" and notice.phone_cipher is None
    assert gateway.sent[0][0] == PHONE and "ЖӨБ" in gateway.sent[0][1] and "/ky/m/" in gateway.sent[0][1]
    assert delivery.sweep("notice", "https://x/") == (0, 0)  # one SMS, never two


def test_responsiveness_track_published_from_the_minimum(session, staff, make_comment):
    municipality = session.get(Municipality, AK_BULUN)
    minimum = queries.constants()["min_sample"]
    comments = [make_comment(f"Комментарий {i}", days_ago=30) for i in range(minimum)]
    from feedback.scorecards import methodology as mth

    track = queries.responsiveness_track(municipality, comments[0].period, mth.get(None))
    assert track["index"] == 0 and track["n"] == minimum  # all overdue, none answered
    assert track["overdue_comments"] == minimum
    _answer(staff, comments[:2])  # late: still not on time
    track = queries.responsiveness_track(municipality, comments[0].period, mth.get(None))
    assert track["index"] == 0 and track["overdue_comments"] == minimum - 2


def test_the_batch_of_all_municipalities_agrees_with_each_one(session, staff, make_comment):
    from feedback.scorecards import methodology as mth

    from .conftest import KARAKOL

    comments = [make_comment(f"К {i}", days_ago=20 + i) for i in range(6)]
    make_comment("Каракол", municipality_code=KARAKOL, days_ago=30)
    _answer(staff, comments[:1])
    period = comments[0].period
    every = queries.responsiveness_tracks(period, mth.get(None))
    for code in (AK_BULUN, KARAKOL):
        one = queries.responsiveness_track(session.get(Municipality, code), period, mth.get(None))
        assert every[code] == one
    assert every[AK_BULUN]["n"] == 6 and every[KARAKOL]["reason"] == "not_enough_comments"


def test_the_countrys_counts_send_the_same_statements_whatever_the_number_of_promises(session, staff, make_comment,
                                                                                    resident):
    """The comparisons count every promise of the country: the statements must not carry the
    promises (their ids were once sent back as tens of thousands of parameters, ~20 MB of a worker's
    memory at 5 million ratings), and the residents' word on each still counts."""
    from sqlalchemy import event

    from feedback.db import db
    from feedback.scorecards import methodology as mth

    due = local_today() + dt.timedelta(days=3)
    period = None

    def sent() -> list[tuple[str, int]]:
        statements = []

        def note(conn, cursor, statement, parameters, context, executemany):
            statements.append((statement, len(parameters or ())))

        event.listen(db.engine, "before_cursor_execute", note)
        try:
            counts = queries.responsiveness_tracks(period, mth.get(None))[AK_BULUN]["components"]
        finally:
            event.remove(db.engine, "before_cursor_execute", note)
        assert counts  # the track was computed
        return statements

    def promise(respondent=None):
        comment = make_comment(respondent=respondent)
        answer = _answer(staff, [comment], promise="Түтүк", promise_due=due)
        services.mark_done(staff, answer.id, "Бүттү")  # done in time, as the staff says
        return comment, answer

    comment, answer = promise(resident)
    period = comment.period
    one = sent()
    for _ in range(4):
        promise()
    assert sent() == one
    with time_machine.travel(dt.datetime.combine(due + dt.timedelta(days=1), dt.time(12), dt.UTC), tick=False):
        assert queries.responsiveness_counts(AK_BULUN, period)["promises_kept"] == (5, 5)
        services.judge(resident, answer.id, comment.id, done="no")  # the resident says it was not
        assert queries.responsiveness_counts(AK_BULUN, period)["promises_kept"] == (4, 5)

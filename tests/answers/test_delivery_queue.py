"""The "your comment was answered" SMS goes through the same delivery as the webhook's replies: with
REDIS_URL a job per notice on the RQ queue (real Redis, see tests/channels/test_delivery_queue.py),
delivered once by a worker, retried with back-off, swept when its job was lost."""
import datetime as dt

from sqlalchemy import select

from feedback import delivery
from feedback.answers import services
from feedback.answers.models import SmsNotice
from feedback.ratings.respondents import keyed_hash
from tests.channels.test_delivery_queue import Slow, burst, time_passes

from .test_views import _answer_over_http, staff_client  # noqa: F401 - fixture

PHONE = "+996555123456"


def test_an_answer_queues_the_notice_and_a_worker_sends_it_once(app, session, staff_client, make_comment,  # noqa: F811
                                                               resident, rq_queue, monkeypatch):
    flaky = Slow(failures=1)
    monkeypatch.setitem(app.config, "SMS_BACKEND", flaky)
    resident.phone_hash = keyed_hash(PHONE, "phone")
    resident.phone_verified_at = dt.datetime.now(dt.UTC)
    comment = make_comment("Жарык жок", respondent=resident)
    services.opt_in_sms(resident, comment.id, "+996 555 123 456", "ky")
    response = _answer_over_http(app, staff_client, comment)
    response.close()
    assert response.status_code == 303 and flaky.calls == 0  # queued, not sent by the request
    notice = session.scalar(select(SmsNotice))
    [job] = rq_queue.get_jobs()
    assert job.args[:2] == ("notice", notice.id)
    burst(rq_queue)  # the gateway is down: counted, kept, retried later by RQ
    session.refresh(notice)
    assert flaky.calls == 1 and notice.status == "due" and notice.attempts == 1 and notice.phone_cipher
    assert notice.next_attempt_at is not None
    time_passes(rq_queue)
    burst(rq_queue)
    burst(rq_queue)
    session.refresh(notice)
    assert flaky.calls == 2 and notice.status == "sent" and notice.phone_cipher is None
    [(to, text)] = flaky.sent
    assert to == PHONE and "ЖӨБ" in text and f"/ky/m/{comment.municipality_code}/" in text
    assert delivery.run_job("notice", notice.id) is None and len(flaky.sent) == 1  # never twice


def test_a_notice_is_given_up_after_the_last_attempt_and_the_number_erased_until_given_again(
        app, session, staff, make_comment, resident, monkeypatch):
    from .test_services import _answer

    monkeypatch.delitem(app.config, "REDIS_URL", raising=False)
    down = Slow(failures=100)
    monkeypatch.setitem(app.config, "SMS_BACKEND", down)
    resident.phone_hash = keyed_hash(PHONE, "phone")
    resident.phone_verified_at = dt.datetime.now(dt.UTC)
    comment = make_comment(respondent=resident)
    notice = services.opt_in_sms(resident, comment.id, PHONE, "ru")
    _answer(staff, [comment])
    session.commit()
    for _ in range(delivery.MAX_ATTEMPTS + 2):
        delivery.sweep("notice", "https://x/")
        if notice.next_attempt_at is not None:
            notice.next_attempt_at -= dt.timedelta(hours=1)  # its back-off has passed
    session.refresh(notice)
    assert down.calls == delivery.MAX_ATTEMPTS and notice.attempts == delivery.MAX_ATTEMPTS
    assert notice.status == "failed" and notice.phone_cipher is None
    notice = services.opt_in_sms(resident, comment.id, PHONE, "ru")  # the resident asks again
    assert notice.status == "due" and notice.attempts == 0 and notice.phone_cipher
    monkeypatch.setitem(app.config, "SMS_BACKEND", Slow())
    assert delivery.sweep("notice", "https://x/") == (1, 0)
    assert "Органы МСУ" in app.config["SMS_BACKEND"].sent[0][1]

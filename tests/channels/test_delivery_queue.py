"""Outgoing SMS through the RQ queue on a real Redis (REDIS_URL): the webhook commits the outbox row
and enqueues a job by its id, never waiting for the gateway; a worker delivers it once; a gateway
failure is retried by RQ with back-off up to MAX_ATTEMPTS, counted on the row and never lost; a job
lost with Redis is sent by the periodic sweep; a job run twice sends once.

Redis: the ``rq_queue`` fixture of tests/conftest.py (TEST_REDIS_URL, default redis://127.0.0.1:6379/14,
flushed; like tests/test_two_servers.py these tests need a running Redis)."""
import datetime as dt
import time

from rq import Retry, SimpleWorker
from rq.job import Job
from rq.registry import ScheduledJobRegistry
from sqlalchemy import select

from feedback import delivery
from feedback.channels.models import OutboundMessage
from feedback.db import db, utcnow
from feedback.ratings.sms import SmsBackend, SmsError
from tests.channels.test_sms import PHONE, gateway  # noqa: F401 - the fixture


def burst(queue):
    """A real RQ worker, in this process (so inside the test's transaction), until the queue is empty;
    with its scheduler, so that retries whose time has come are enqueued first."""
    return SimpleWorker([queue], connection=queue.connection).work(burst=True, with_scheduler=True)


def time_passes(queue):
    """Make every scheduled retry due now (as if its back-off had elapsed)."""
    registry = ScheduledJobRegistry(queue=queue)
    for job_id in registry.get_job_ids():
        queue.connection.zadd(registry.key, {job_id: 0})


class Slow(SmsBackend):
    def __init__(self, seconds=0.0, failures=0):
        self.seconds, self.failures, self.sent, self.calls = seconds, failures, [], 0

    def send(self, phone_e164, text):
        self.calls += 1
        time.sleep(self.seconds)
        if self.calls <= self.failures:
            raise SmsError("gateway down")
        self.sent.append((phone_e164, text))


def the_message():
    [message] = db.session.scalars(select(OutboundMessage))
    db.session.refresh(message)
    return message


def test_the_webhook_enqueues_the_reply_and_returns_without_sending(gateway, rq_queue, app, monkeypatch):  # noqa: F811
    slow = Slow(seconds=1.5)
    monkeypatch.setitem(app.config, "SMS_BACKEND", slow)
    started = time.perf_counter()
    response = gateway.sms("ЖАРДАМ")
    elapsed = time.perf_counter() - started
    assert response.status_code == 200 and elapsed < 1.0 and slow.calls == 0  # never waits for the gateway
    message = the_message()
    assert message.sent_at is None and message.phone == PHONE and message.attempts == 0  # committed first
    [job] = rq_queue.get_jobs()
    assert job.args[:2] == ("reply", message.id) and job.retries_left == delivery.MAX_ATTEMPTS - 1
    monkeypatch.setitem(app.config, "SMS_BACKEND", Slow())
    result = app.test_cli_runner().invoke(args=["channels", "worker", "--burst"])  # the documented worker
    assert result.exit_code == 0, result.output
    message = the_message()
    assert app.config["SMS_BACKEND"].sent == [(PHONE, message.text)]  # delivered once
    assert message.sent_at is not None and message.phone is None and message.attempts == 1
    assert rq_queue.count == 0


def test_a_gateway_failure_is_retried_with_back_off_and_counted_until_the_last_attempt(gateway, rq_queue, app,  # noqa: F811
                                                                                      monkeypatch):
    down = Slow(failures=100)
    monkeypatch.setitem(app.config, "SMS_BACKEND", down)
    gateway.sms("ЖАРДАМ")
    waits = []
    for attempt in range(1, delivery.MAX_ATTEMPTS + 1):
        time_passes(rq_queue)
        burst(rq_queue)
        message = the_message()
        assert down.calls == attempt and message.attempts == attempt
        registry = ScheduledJobRegistry(queue=rq_queue)
        if attempt < delivery.MAX_ATTEMPTS:  # kept, with its number, and RQ holds the next try
            assert message.phone == PHONE and not message.failed and message.sent_at is None
            [job_id] = registry.get_job_ids()
            at = registry.get_scheduled_time(Job.fetch(job_id, connection=rq_queue.connection))
            waits.append(round((at.replace(tzinfo=dt.UTC) - utcnow()).total_seconds() / 60))
            assert abs((message.next_attempt_at.replace(tzinfo=dt.UTC) - at.replace(tzinfo=dt.UTC))
                       .total_seconds()) < 5
    assert waits == [1, 2, 4, 8, 16]  # minutes: a growing back-off
    assert message.failed and message.phone is None and message.last_error == "gateway down"
    assert ScheduledJobRegistry(queue=rq_queue).count == 0 and rq_queue.count == 0
    assert delivery.sweep("reply") == (0, 0)  # given up: nobody sends it again


def test_a_failure_then_success_delivers_once(gateway, rq_queue, app, monkeypatch):  # noqa: F811
    flaky = Slow(failures=2)
    monkeypatch.setitem(app.config, "SMS_BACKEND", flaky)
    gateway.sms("ЖАРДАМ")
    for _ in range(4):
        time_passes(rq_queue)
        burst(rq_queue)
    message = the_message()
    assert flaky.calls == 3 and len(flaky.sent) == 1 and message.attempts == 3 and message.sent_at is not None


def test_a_lost_job_is_sent_by_the_periodic_sweep(gateway, rq_queue, app, monkeypatch):  # noqa: F811
    monkeypatch.setitem(app.config, "SMS_BACKEND", gateway.sent)
    gateway.sms("ЖАРДАМ")
    rq_queue.connection.flushdb()  # Redis lost the job
    assert delivery.sweep("reply") == (0, 0)  # not yet: the queue may still be sending it
    message = the_message()
    message.next_attempt_at -= delivery.SWEEP_GRACE + dt.timedelta(seconds=1)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["channels", "send-replies"])
    assert "1 sent" in result.output
    message = the_message()
    assert message.sent_at is not None and message.phone is None and len(gateway.sent.sent) == 1
    assert app.test_cli_runner().invoke(args=["channels", "send-replies"]).output.startswith("0 sent")


def test_the_same_job_run_twice_sends_once(gateway, rq_queue, app, monkeypatch):  # noqa: F811
    monkeypatch.setitem(app.config, "SMS_BACKEND", gateway.sent)
    gateway.sms("ЖАРДАМ")
    message_id = the_message().id
    rq_queue.enqueue(delivery.run_job, "reply", message_id, None, retry=Retry(max=2))  # a second copy
    assert rq_queue.count == 2
    burst(rq_queue)
    assert delivery.run_job("reply", message_id) is None  # and a third, by hand
    assert len(gateway.sent.sent) == 1 and the_message().attempts == 1


def test_without_redis_the_reply_is_sent_after_the_response(gateway, app, monkeypatch):  # noqa: F811
    monkeypatch.delitem(app.config, "REDIS_URL", raising=False)
    monkeypatch.setitem(app.config, "SMS_BACKEND", gateway.sent)
    gateway.sms("ЖАРДАМ")  # closes the response: call_on_close runs
    assert len(gateway.sent.sent) == 1 and the_message().sent_at is not None


def test_the_worker_refuses_to_start_without_redis(app, monkeypatch):
    monkeypatch.delitem(app.config, "REDIS_URL", raising=False)
    result = app.test_cli_runner().invoke(args=["channels", "worker", "--burst"])
    assert result.exit_code != 0 and "REDIS_URL is not set" in result.output

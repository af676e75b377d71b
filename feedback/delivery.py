"""Delivering outgoing SMS from an outbox table: one module for every kind of outgoing message.

The outbox row is the durable truth: a request commits the row first, and only then asks for it to
be delivered (``dispatch``), so nothing is lost whatever happens to the job afterwards.

- With ``REDIS_URL`` set, ``dispatch`` enqueues one RQ job per row, by its id (queue ``RQ_QUEUE``,
  default ``feedback``); a worker (``flask channels worker``) runs it. A gateway failure makes the
  job fail and RQ retries it after 1, 2, 4, 8, 16 minutes (``Retry``), up to ``MAX_ATTEMPTS`` sends
  in all. The request never waits for the gateway.
- Without Redis, the row is delivered in the same process after the response has gone out
  (``call_on_close``).
- Either way the periodic sweep (``flask channels send-replies``, ``flask answers send-sms``, every
  minute) sends what is due: with Redis, only rows due for ``SWEEP_GRACE`` already (their job was
  lost: Redis restarted, the worker was down), so it does not race the queue.

Every send locks its row (``FOR UPDATE SKIP LOCKED`` on PostgreSQL) and re-reads its state, so a row
is sent once even when its job runs twice or the sweep and a job meet. Each attempt is counted on
the row; after the last one (or once sent) the phone number is erased.
"""
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, has_request_context, request
from sqlalchemy import select

from .db import db, utcnow

MAX_ATTEMPTS = 6
RETRY_SECONDS = [60 * 2 ** n for n in range(MAX_ATTEMPTS - 1)]  # after attempt 1, 2, …: 1, 2, 4, 8, 16 min
SWEEP_GRACE = dt.timedelta(minutes=5)
JOB_TIMEOUT = 60


class DeliveryFailed(RuntimeError):
    """The gateway refused; the row stays due and the job is retried."""


@dataclass(frozen=True)
class Outbox:
    """How one outbox table is delivered: its model, which rows are pending, what to send, and
    what a delivered or given-up row becomes."""

    kind: str
    model: Any
    pending: Callable[[], Any]  # a WHERE clause: not sent, not given up
    message: Callable[[Any], tuple[str, str]]  # row -> (phone, text); may raise ValueError
    sent: Callable[[Any], None]
    given_up: Callable[[Any], None]


OUTBOXES: dict[str, Outbox] = {}


def register(outbox: Outbox) -> Outbox:
    OUTBOXES[outbox.kind] = outbox
    return outbox


def _outboxes() -> None:
    # The modules that declare the outboxes register them when imported.
    from .answers import notices  # noqa: F401
    from .channels import outbox  # noqa: F401


def outbox_of(kind: str) -> Outbox:
    _outboxes()
    return OUTBOXES[kind]


# --- one attempt ---------------------------------------------------------------------------------

def send_one(kind: str, row_id: int) -> bool | None:
    """Try to deliver one row and commit. True: sent now; None: nothing to do (already sent, given up,
    or being sent by someone else); raises DeliveryFailed when the gateway refused and a retry is due."""
    from .ratings.sms import SmsError, get_backend

    box = outbox_of(kind)
    row = db.session.scalar(select(box.model).where(box.model.id == row_id, box.pending())
                            .with_for_update(skip_locked=True))
    if row is None:
        db.session.rollback()
        return None
    row.attempts += 1
    try:
        phone, text = box.message(row)
        get_backend(current_app).send(phone, text)
    except (SmsError, OSError, ValueError) as error:
        row.last_error = str(error)[:200] or type(error).__name__
        final = row.attempts >= MAX_ATTEMPTS or isinstance(error, ValueError)
        if final:
            box.given_up(row)
        else:
            row.next_attempt_at = utcnow() + dt.timedelta(seconds=RETRY_SECONDS[row.attempts - 1])
        db.session.commit()
        if final:
            return None
        raise DeliveryFailed(f"{kind} {row_id}: attempt {row.attempts} failed") from error
    row.last_error = None
    box.sent(row)
    db.session.commit()
    return True


def run_job(kind: str, row_id: int, base_url: str | None = None) -> bool | None:
    """The RQ job (runs in the worker's app context; see ``flask channels worker``)."""
    base = base_url or current_app.config.get("PUBLIC_URL") or "http://localhost/"
    with current_app.test_request_context(base_url=base):  # for url_for(_external=True) in texts
        try:
            return send_one(kind, row_id)
        except DeliveryFailed:
            raise
        except Exception:  # the database went away…: leave a clean session for the next job
            db.session.rollback()
            raise


# --- after the request ---------------------------------------------------------------------------

def redis_queue(app: Flask | None = None):
    """The RQ queue when REDIS_URL is set, else None."""
    app = app or current_app
    url = app.config.get("REDIS_URL")
    if not url:
        return None
    from redis import Redis
    from rq import Queue

    connection = Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
    return Queue(app.config.get("RQ_QUEUE", "feedback"), connection=connection)


def _base_url() -> str | None:
    if current_app.config.get("PUBLIC_URL"):
        return current_app.config["PUBLIC_URL"]
    return request.host_url if has_request_context() else None


def dispatch(response, kind: str, ids: list[int]):
    """After the rows were COMMITTED: enqueue one job per row (Redis), or deliver them after this
    response has gone out (no Redis). Never raises: a row whose job could not be enqueued is sent
    by the sweep. Returns the response."""
    if not ids:
        return response
    app = current_app._get_current_object()
    base = _base_url()
    queue = redis_queue(app)
    if queue is not None:
        from rq import Retry

        for row_id in ids:
            try:
                queue.enqueue(run_job, kind, row_id, base, job_id=f"sms-{kind}-{row_id}",
                              retry=Retry(max=MAX_ATTEMPTS - 1, interval=RETRY_SECONDS),
                              job_timeout=JOB_TIMEOUT, result_ttl=3600, failure_ttl=7 * 86400)
            except Exception:  # noqa: BLE001 - Redis down: the row waits for the sweep
                app.logger.exception("%s %s could not be queued; the sweep will send it", kind, row_id)
        return response

    def deliver():
        with app.app_context():
            for row_id in ids:
                try:
                    run_job(kind, row_id, base)
                except DeliveryFailed:
                    pass  # counted on the row; the sweep retries it when due
                except Exception:  # noqa: BLE001 - the response is already sent
                    db.session.rollback()
                    app.logger.exception("%s %s not delivered; it stays in the outbox", kind, row_id)

    response.call_on_close(deliver)
    return response


# --- the periodic sweep --------------------------------------------------------------------------

def sweep(kind: str, base_url: str | None = None, limit: int = 500) -> tuple[int, int]:
    """Send the rows that are due (with Redis: due for SWEEP_GRACE already, their job lost).
    Returns (sent, still waiting)."""
    box = outbox_of(kind)
    due = utcnow() - (SWEEP_GRACE if current_app.config.get("REDIS_URL") else dt.timedelta(0))
    column = box.model.next_attempt_at
    ids = db.session.scalars(select(box.model.id).where(box.pending(), column.is_(None) | (column <= due))
                             .order_by(box.model.id).limit(limit)).all()
    sent = waiting = 0
    for row_id in ids:
        try:
            sent += bool(run_job(kind, row_id, base_url))
        except DeliveryFailed:
            waiting += 1
    return sent, waiting


def worker(app: Flask, burst: bool = False) -> bool:
    """Run an RQ worker for the delivery queue in this process, inside the app context."""
    from rq import SimpleWorker

    queue = redis_queue(app)
    if queue is None:
        raise RuntimeError("REDIS_URL is not set: replies are sent by the app itself, no worker is needed")
    return SimpleWorker([queue], connection=queue.connection).work(burst=burst, with_scheduler=True)

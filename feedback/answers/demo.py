"""Demonstration answers: for most municipalities, published comments on the demo ratings, the
LSG's answers (some late, some never), promised actions (some done, some overdue) and the authors'
judgements — enough that the responsiveness track is published for a good share of municipalities.

Only demo rows are touched (respondents' tokens start with ``demo-``; the demo answerer's e-mail is
``demo-…@demo.invalid``). ``clear`` runs before the scorecard demo's own clear (answers refer to
demo ratings and a demo user).
"""
import datetime as dt
import itertools
import random

from sqlalchemy import delete, select, update

from .. import bulk
from ..accounts.models import User
from ..db import as_utc, db, utcnow
from ..ratings.models import Rating, Respondent
from ..ratings.services import BISHKEK
from .models import Answer, AnsweredComment, Judgement, SmsNotice

PREFIX = "demo-"
STREAM_ROWS = 20_000  # rows fetched at a time from the demo ratings
AUTHOR_EMAIL = "demo-answers@demo.invalid"
UNUSABLE_PASSWORD = "!demo-account-without-a-password"
COMMENTS = (
    "Вода бывает только утром, летом по несколько дней нет совсем.",
    "Мусор вывозят редко, люди жгут его во дворах.",
    "Дорогу обещали отремонтировать ещё в прошлом году.",
    "Суу эртең менен гана келет, жайында бир нече күн такыр болбойт.",
    "Таштанды сейрек чыгарылат, эл короосунда өрттөйт.",
    "Жолду былтыр эле оңдойбуз дешкен, дагы деле оңдолгон жок.",
    "Көчөдө жарык жок, кечинде балдар караңгыда басат.",
    "В детском саду не хватает мест, очередь на два года.",
)
ANSWERS = {
    "ky": ("Пикириңиз үчүн рахмат. Маселе айыл өкмөтүнүн жыйынында каралды.",
           "Бул маселе боюнча акча келерки жылдын бюджетине киргизилди."),
    "ru": ("Спасибо за комментарий. Вопрос рассмотрен на совещании айыл окмоту.",
           "Средства на это включены в бюджет следующего года."),
}
ANSWER_COLUMNS = ("id", "municipality_code", "subject_code", "criterion_code", "period", "kind", "language", "body",
                  "author_id", "created_at", "promise", "promise_due", "promise_status", "done_at", "done_note", "done_by")
PROMISES = {"ky": "Ишти мөөнөтүндө бүтүрөбүз жана натыйжасын ушул жерге жазабыз.",
            "ru": "Выполним работы в срок и сообщим здесь о результате."}


def clear() -> int:
    """Remove the demo answers (and everything attached to them). Flushes; the caller commits."""
    author = select(User.id).where(User.email == AUTHOR_EMAIL).scalar_subquery()
    demo_ratings = select(Rating.id).join(Respondent, Respondent.id == Rating.respondent_id).where(
        Respondent.token.like(PREFIX + "%")).scalar_subquery()
    db.session.execute(delete(SmsNotice).where(SmsNotice.rating_id.in_(demo_ratings)))
    db.session.execute(delete(Judgement).where(Judgement.rating_id.in_(demo_ratings)))
    db.session.execute(delete(AnsweredComment).where(AnsweredComment.rating_id.in_(demo_ratings)))
    removed = db.session.execute(delete(Answer).where(Answer.author_id.in_(author))).rowcount
    db.session.execute(delete(User).where(User.email == AUTHOR_EMAIL))
    db.session.flush()
    return removed


def seed(seed_value: int = 2025, share: float = 0.8, progress=None) -> dict:
    """Answers for the demo ratings of every period present. Writes in bulk; flushes; the caller commits.
    ``progress(done, total)``: how far the stream is, in rating ids."""
    clear()
    rng = random.Random(seed_value + 10)
    author = User(email=AUTHOR_EMAIL, role="lsg_staff", password_hash=UNUSABLE_PASSWORD, name="Demo")
    db.session.add(author)
    db.session.flush()
    now = utcnow()
    today = now.astimezone(BISHKEK).date()
    # Streamed one municipality and period at a time (at 5 million ratings the whole list would
    # take gigabytes), in the order of their ids: the demo history's ids run one municipality and
    # period after another, so nothing needs sorting and the same seed gives the same answers.
    # On the session's connection (Core): no ORM layer per row.
    rows = db.session.connection().execute(
        select(Rating.id, Rating.municipality_code, Rating.period, Rating.subject_code, Rating.respondent_id,
               Rating.comment_status, Rating.comment.is_(None), Rating.created_at)
        .join(Respondent, Respondent.id == Rating.respondent_id)
        .where(Respondent.token.like(PREFIX + "%"), Rating.status == "accepted")
        .order_by(Rating.id)
        .execution_options(yield_per=STREAM_ROWS))
    diligence: dict[str, float] = {}
    rating_updates = []
    answers = bulk.Writer(Answer, ANSWER_COLUMNS)
    links = bulk.Writer(AnsweredComment, ("rating_id", "answer_id", "published_at"), after=answers)
    judgements = bulk.Writer(Judgement, ("answer_id", "rating_id", "respondent_id", "helpful", "done", "created_at",
                                         "updated_at"), after=answers)
    answer_id, promises = bulk.next_id(Answer), 0
    report = bulk.stream_progress(Rating, progress)
    for (code, _period), unit_rows in itertools.groupby(rows, key=lambda row: (row[1], row[2])):
        ratings = list(unit_rows)
        report(ratings[-1][0])
        if code not in diligence:
            diligence[code] = rng.betavariate(4, 2) if rng.random() < share else -1.0
        level = diligence[code]
        if level < 0:
            continue
        commented = [r for r in ratings if r[5] == "approved"]
        extra = [r for r in ratings if r[6]]
        rng.shuffle(extra)
        added = {r[0] for r in extra[:max(0, rng.randint(6, 12) - len(commented))]}
        commented += [r for r in extra if r[0] in added]
        for rating_id, _code, period, subject_code, respondent_id, _status, _empty, created_at in commented:
            published = as_utc(created_at) + dt.timedelta(days=rng.uniform(0.2, 3))
            if published >= now:
                published = as_utc(created_at)
            update_row = {"id": rating_id, "comment_moderated_at": published}
            if rating_id in added:
                update_row.update(comment=rng.choice(COMMENTS), comment_status="approved")
            rating_updates.append(update_row)
            if rng.random() > level + 0.1:
                continue  # never answered
            answered = published + dt.timedelta(days=rng.uniform(1, 12) if rng.random() < level else rng.uniform(15, 40))
            if answered >= now:
                continue
            lang = "ky" if rng.random() < 0.6 else "ru"
            promise = promise_due = promise_status = done_at = done_note = done_by = None
            if rng.random() < 0.45:
                promise, promises = PROMISES[lang], promises + 1
                promise_due = answered.astimezone(BISHKEK).date() + dt.timedelta(days=rng.randint(20, 120))
                promise_status = "promised"
                if promise_due < today and rng.random() < level:
                    done = (promise_due - dt.timedelta(days=rng.randint(0, 15)) if rng.random() < 0.8
                            else promise_due + dt.timedelta(days=10))
                    promise_status, done_by, done_note = "done", author.id, PROMISES[lang]
                    done_at = min(dt.datetime.combine(done, dt.time(10), BISHKEK), now)
            answers.add((answer_id, code, subject_code, None, period, "reply", lang, rng.choice(ANSWERS[lang]),
                         author.id, answered, promise, promise_due, promise_status, done_at, done_note, done_by))
            links.add((rating_id, answer_id, published))
            if rng.random() < 0.55:
                judged_done = None
                if promise_due is not None and (promise_status == "done" or promise_due < today):
                    judged_done = (promise_status == "done") == (rng.random() < 0.85)
                judgements.add((answer_id, rating_id, respondent_id, rng.random() < level, judged_done, answered,
                                answered))
            answer_id += 1
    for i in range(0, len(rating_updates), 5000):
        db.session.execute(update(Rating), rating_updates[i:i + 5000])
    for writer in (answers, links, judgements):
        writer.close()
    bulk.fix_sequences(Answer)
    db.session.flush()
    return {"comments": len(rating_updates), "answers": answers.count, "promises": promises,
            "judgements": judgements.count}

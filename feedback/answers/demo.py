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


class Drafter:
    """Draws the demo answers one municipality and period at a time and writes them in bulk (answers,
    the comments they answer, judgements); the caller puts each published comment's time (and the
    comment, for a rating that had none) in the rating. Used while the ratings are generated
    (feedback/scorecards/demo.py: no second pass over them) and by ``seed`` over ratings already
    stored. ``close()`` writes what is left.

    Rules: a municipality answers with probability ``share``, with a diligence ~ Beta(4, 2); its
    approved comments are published 0.2–3 days after the rating, and when it has fewer than 6–12 of
    them, as many ratings without a comment get one (published alike). A published comment is
    answered with probability diligence + 0.1, within 1–12 days (with probability diligence) or
    15–40; 60 % in Kyrgyz; 45 % of the answers promise an action due in 20–120 days, done (with
    probability diligence, once due) mostly on time; 55 % of the answers are judged by the author.
    """

    def __init__(self, seed_value: int = 2025, share: float = 0.8, after=()):
        self.rng, self.share = random.Random(seed_value + 10), share
        self.author = User(email=AUTHOR_EMAIL, role="lsg_staff", password_hash=UNUSABLE_PASSWORD, name="Demo")
        db.session.add(self.author)
        db.session.flush()
        self.now = utcnow()
        self.today = self.now.astimezone(BISHKEK).date()
        self.diligence: dict[str, float] = {}
        self.answers = bulk.Writer(Answer, ANSWER_COLUMNS)
        self.links = bulk.Writer(AnsweredComment, ("rating_id", "answer_id", "published_at"),
                                 after=(*after, self.answers))
        self.judgements = bulk.Writer(Judgement, ("answer_id", "rating_id", "respondent_id", "helpful", "done",
                                                  "created_at", "updated_at"), after=(*after, self.answers))
        self.answer_id, self.promises, self.comments = bulk.next_id(Answer), 0, 0
        self.wanted = 0
        self.drafted = ([], [], [])  # answers, links, judgements not yet handed to their writers

    def unit(self, code: str) -> bool:
        """A municipality and period begins; does the municipality answer at all?"""
        if code not in self.diligence:
            self.diligence[code] = self.rng.betavariate(4, 2) if self.rng.random() < self.share else -1.0
        self.level = self.diligence[code]
        if self.level < 0:
            return False
        self.wanted = self.rng.randint(6, 12)  # published comments the unit should have at least
        return True

    def draft(self, period: int, code: str, approved, empty, last: bool = True) -> dict:
        """Published comments and their answers for ratings of the unit begun by ``unit()``:
        ``approved`` the ratings with an approved comment and ``empty`` those without a comment
        (sequences of ``(rating id, subject code, respondent id, created_at)``, each in id order;
        ``empty`` is only indexed where chosen). ``last``: the unit's last part (where comments are
        added if it has too few). Returns {rating id: (published_at, comment or None)}: the comment
        for a rating that had none. The answers are written after ``release()`` (once the ratings
        they refer to are in their writer)."""
        rng, level, now, today = self.rng, self.level, self.now, self.today
        answers, links, judgements = self.drafted
        self.wanted -= len(approved)
        commented = [(rating, None) for rating in approved]
        if last and self.wanted > 0 and len(empty):
            commented += [(empty[i], rng.choice(COMMENTS)) for i in rng.sample(range(len(empty)), min(self.wanted, len(empty)))]
        published_at = {}
        for (rating_id, subject_code, respondent_id, created_at), comment in commented:
            published = as_utc(created_at) + dt.timedelta(days=rng.uniform(0.2, 3))
            if published >= now:
                published = as_utc(created_at)
            published_at[rating_id] = (published, comment)
            if rng.random() > level + 0.1:
                continue  # never answered
            answered = published + dt.timedelta(days=rng.uniform(1, 12) if rng.random() < level else rng.uniform(15, 40))
            if answered >= now:
                continue
            lang = "ky" if rng.random() < 0.6 else "ru"
            promise = promise_due = promise_status = done_at = done_note = done_by = None
            if rng.random() < 0.45:
                promise, self.promises = PROMISES[lang], self.promises + 1
                promise_due = answered.astimezone(BISHKEK).date() + dt.timedelta(days=rng.randint(20, 120))
                promise_status = "promised"
                if promise_due < today and rng.random() < level:
                    done = (promise_due - dt.timedelta(days=rng.randint(0, 15)) if rng.random() < 0.8
                            else promise_due + dt.timedelta(days=10))
                    promise_status, done_by, done_note = "done", self.author.id, PROMISES[lang]
                    done_at = min(dt.datetime.combine(done, dt.time(10), BISHKEK), now)
            answer_id, self.answer_id = self.answer_id, self.answer_id + 1
            answers.append((answer_id, code, subject_code, None, period, "reply", lang, rng.choice(ANSWERS[lang]),
                            self.author.id, answered, promise, promise_due, promise_status, done_at, done_note,
                            done_by))
            links.append((rating_id, answer_id, published))
            if rng.random() < 0.55:
                judged_done = None
                if promise_due is not None and (promise_status == "done" or promise_due < today):
                    judged_done = (promise_status == "done") == (rng.random() < 0.85)
                judgements.append((answer_id, rating_id, respondent_id, rng.random() < level, judged_done, answered,
                                   answered))
        self.comments += len(published_at)
        return published_at

    def release(self) -> None:
        """The ratings the drafted answers refer to are in their writer: the answers follow them."""
        for writer, rows in zip((self.answers, self.links, self.judgements), self.drafted, strict=True):
            writer.extend(rows)
            rows.clear()

    def close(self) -> dict:
        self.release()
        for writer in (self.answers, self.links, self.judgements):
            writer.close()
        bulk.fix_sequences(Answer)
        return {"comments": self.comments, "answers": self.answers.count, "promises": self.promises,
                "judgements": self.judgements.count}


def seed(seed_value: int = 2025, share: float = 0.8, progress=None) -> dict:
    """Answers for the demo ratings of every period present (``Drafter``), the ratings' comments
    published by UPDATE. Writes in bulk; flushes; the caller commits. ``progress(done, total)``: how
    far the stream is, in rating ids."""
    clear()
    drafter = Drafter(seed_value, share)
    # Streamed one municipality and period at a time, in the order of their ids: the demo
    # history's ids run one municipality and period after another, so nothing needs sorting and the
    # same seed gives the same answers. On the session's connection (Core): no ORM layer per row.
    rows = db.session.connection().execute(
        select(Rating.id, Rating.municipality_code, Rating.period, Rating.subject_code, Rating.respondent_id,
               Rating.comment_status, Rating.comment.is_(None), Rating.created_at)
        .join(Respondent, Respondent.id == Rating.respondent_id)
        .where(Respondent.token.like(PREFIX + "%"), Rating.status == "accepted")
        .order_by(Rating.id)
        .execution_options(yield_per=STREAM_ROWS))
    rating_updates = []
    report = bulk.stream_progress(Rating, progress)
    for (code, period), unit_rows in itertools.groupby(rows, key=lambda row: (row[1], row[2])):
        ratings = list(unit_rows)
        report(ratings[-1][0])
        if not drafter.unit(code):
            continue
        approved = [(r[0], r[3], r[4], r[7]) for r in ratings if r[5] == "approved"]
        empty = [(r[0], r[3], r[4], r[7]) for r in ratings if r[6]]
        drafted = drafter.draft(period, code, approved, empty)
        drafter.release()
        for rating_id, (published, comment) in drafted.items():
            update_row = {"id": rating_id, "comment_moderated_at": published}
            if comment is not None:
                update_row.update(comment=comment, comment_status="approved")
            rating_updates.append(update_row)
    for i in range(0, len(rating_updates), 5000):
        db.session.execute(update(Rating), rating_updates[i:i + 5000])
    counts = drafter.close()
    db.session.flush()
    return counts

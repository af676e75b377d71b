"""Demonstration answers: for most municipalities, published comments on the demo ratings, the
LSG's answers (some late, some never), promised actions (some done, some overdue) and the authors'
judgements — enough that the responsiveness track is published for a good share of municipalities.

Only demo rows are touched (respondents' tokens start with ``demo-``; the demo answerer's e-mail is
``demo-…@demo.invalid``). ``clear`` runs before the scorecard demo's own clear (answers refer to
demo ratings and a demo user).
"""
import datetime as dt
import random

from sqlalchemy import delete, select

from ..accounts.models import User
from ..db import as_utc, db, utcnow
from ..ratings.models import Rating, Respondent
from ..ratings.services import BISHKEK
from .models import Answer, AnsweredComment, Judgement, SmsNotice

PREFIX = "demo-"
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


def seed(seed_value: int = 2025, share: float = 0.8) -> dict:
    """Answers for the demo ratings of every period present. Flushes; the caller commits."""
    clear()
    rng = random.Random(seed_value + 10)
    author = User(email=AUTHOR_EMAIL, role="lsg_staff", password_hash=UNUSABLE_PASSWORD, name="Demo")
    db.session.add(author)
    db.session.flush()
    now = utcnow()
    today = now.astimezone(BISHKEK).date()
    rows = db.session.execute(
        select(Rating).join(Respondent, Respondent.id == Rating.respondent_id)
        .where(Respondent.token.like(PREFIX + "%"), Rating.status == "accepted")
        .order_by(Rating.municipality_code, Rating.period, Rating.id)).scalars()
    by_unit: dict[tuple[str, int], list[Rating]] = {}
    for rating in rows:
        by_unit.setdefault((rating.municipality_code, rating.period), []).append(rating)
    diligence: dict[str, float] = {}
    counts = {"comments": 0, "answers": 0, "promises": 0, "judgements": 0}
    for (code, _period), ratings in by_unit.items():
        if code not in diligence:
            diligence[code] = rng.betavariate(4, 2) if rng.random() < share else -1.0
        level = diligence[code]
        if level < 0:
            continue
        commented = [r for r in ratings if r.comment_status == "approved"]
        extra = [r for r in ratings if r.comment is None]
        rng.shuffle(extra)
        for rating in extra[:max(0, rng.randint(6, 12) - len(commented))]:
            rating.comment, rating.comment_status = rng.choice(COMMENTS), "approved"
            commented.append(rating)
        for rating in commented:
            published = as_utc(rating.created_at) + dt.timedelta(days=rng.uniform(0.2, 3))
            if published >= now:
                published = as_utc(rating.created_at)
            rating.comment_moderated_at = published
            counts["comments"] += 1
            if rng.random() > level + 0.1:
                continue  # never answered
            answered = published + dt.timedelta(days=rng.uniform(1, 12) if rng.random() < level else rng.uniform(15, 40))
            if answered >= now:
                continue
            lang = "ky" if rng.random() < 0.6 else "ru"
            answer = Answer(municipality_code=code, subject_code=rating.subject_code, period=rating.period,
                            kind="reply", language=lang, body=rng.choice(ANSWERS[lang]), author_id=author.id,
                            created_at=answered)
            if rng.random() < 0.45:
                due = answered.astimezone(BISHKEK).date() + dt.timedelta(days=rng.randint(20, 120))
                answer.promise, answer.promise_due, answer.promise_status = PROMISES[lang], due, "promised"
                counts["promises"] += 1
                if due < today and rng.random() < level:
                    done = due - dt.timedelta(days=rng.randint(0, 15)) if rng.random() < 0.8 else due + dt.timedelta(days=10)
                    done_at = min(dt.datetime.combine(done, dt.time(10), BISHKEK), now)
                    answer.promise_status, answer.done_at, answer.done_by = "done", done_at, author.id
                    answer.done_note = PROMISES[lang]
            answer.comments.append(AnsweredComment(rating_id=rating.id, published_at=published))
            db.session.add(answer)
            db.session.flush()
            counts["answers"] += 1
            if rng.random() < 0.55:
                helpful = rng.random() < level
                judged_done = None
                if answer.promise_due is not None and (answer.promise_status == "done" or answer.promise_due < today):
                    judged_done = (answer.promise_status == "done") == (rng.random() < 0.85)
                db.session.add(Judgement(answer_id=answer.id, rating_id=rating.id, respondent_id=rating.respondent_id,
                                         helpful=helpful, done=judged_done, created_at=answered, updated_at=answered))
                counts["judgements"] += 1
    db.session.flush()
    return counts

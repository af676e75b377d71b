"""The read side of answers: what the public, the staff and the comment's author see, the
responsiveness track of the scorecard, the action plan and the kenesh report's lists.

Portable SQLAlchemy; the per-municipality lists are small, so shares are counted in Python.
"""
import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import case, func, select

from .. import cache
from ..db import as_utc, db, utcnow
from ..ratings.models import Rating
from ..ratings.services import BISHKEK
from . import scoring
from .models import Answer, AnsweredComment, Judgement
from .services import promise_judgeable, today

STREAM_ROWS = 2000  # the country's published comments of a period are read this many at a time


@dataclass
class CommentView:
    rating: Rating
    published_at: dt.datetime
    deadline: dt.datetime
    answer: Answer | None = None

    @property
    def overdue(self) -> bool:
        return self.answer is None and utcnow() > self.deadline

    @property
    def status(self) -> "AnswerStatus":
        if self.answer is not None:
            return AnswerStatus("answered", local_date(self.deadline), local_date(self.answer.created_at), self.answer.id)
        return AnswerStatus("overdue" if self.overdue else "awaiting", local_date(self.deadline))


@dataclass
class AnswerView:
    answer: Answer
    comments: list[Rating] = field(default_factory=list)
    helpful: int = 0
    not_helpful: int = 0
    done_yes: int = 0
    done_no: int = 0

    @property
    def overdue(self) -> bool:
        a = self.answer
        return a.promise_status == "promised" and a.promise_due is not None and a.promise_due < today()

    @property
    def judgeable(self) -> bool:
        return promise_judgeable(self.answer)


def constants(parameters: dict | None = None) -> dict:
    """The responsiveness constants of a methodology version's parameters; None: the newest
    published version (what the staff pages and the overdue badges go by)."""
    if parameters is None:
        from ..scorecards import methodology as mth

        parameters = mth.get().values
    return scoring.settings(parameters)


def deadline_of(published_at: dt.datetime, days: int) -> dt.datetime:
    """A comment's answer deadline: ``days`` after its publication (the methodology constant)."""
    return as_utc(published_at) + dt.timedelta(days=days)


def local_date(at: dt.datetime) -> dt.date:
    return as_utc(at).astimezone(BISHKEK).date()


@dataclass
class AnswerStatus:
    """What the public sees against a published comment: ``state`` is "answered" (on
    ``answered_on``), "overdue" (since ``deadline``) or "awaiting" (an answer due by ``deadline``);
    dates are Kyrgyzstan's."""

    state: str
    deadline: dt.date
    answered_on: dt.date | None = None
    answer_id: int | None = None


def comment_statuses(rating_ids, parameters: dict | None = None) -> dict[int, AnswerStatus]:
    """rating id → its answer status, for the published comments among ``rating_ids`` (one query),
    with the answer deadline of the methodology version ``parameters`` (None: the newest)."""
    ids = sorted({int(i) for i in rating_ids if i is not None})
    if not ids:
        return {}
    days = constants(parameters)["answer_deadline_days"]
    now = utcnow()
    rows = db.session.execute(
        select(Rating.id, Rating.comment_moderated_at, Rating.updated_at, Rating.created_at, Answer.id,
               Answer.created_at)
        .where(Rating.id.in_(ids), Rating.comment_status == "approved", Rating.status == "accepted")
        .outerjoin(AnsweredComment, AnsweredComment.rating_id == Rating.id)
        .outerjoin(Answer, Answer.id == AnsweredComment.answer_id))
    result = {}
    for rating_id, moderated_at, updated_at, created_at, answer_id, answered_at in rows:
        deadline = deadline_of(moderated_at or updated_at or created_at, days)
        if answer_id is not None:
            result[rating_id] = AnswerStatus("answered", local_date(deadline), local_date(answered_at), answer_id)
        else:
            if now <= deadline:
                cache.expires(deadline)  # turns "overdue" then: a kept page must not outlive it
            result[rating_id] = AnswerStatus("overdue" if now > deadline else "awaiting", local_date(deadline))
    return result


def _published(rating: Rating) -> dt.datetime:
    return as_utc(rating.comment_moderated_at or rating.updated_at or rating.created_at)


def _approved(municipality_code: str, period: int | None = None):
    stmt = select(Rating).where(Rating.municipality_code == municipality_code, Rating.comment_status == "approved",
                                Rating.status == "accepted", Rating.comment.is_not(None))
    if period is not None:
        stmt = stmt.where(Rating.period == period)
    return stmt


def staff_comments(municipality_code: str, parameters: dict | None = None, limit: int = 200) -> list[CommentView]:
    """Approved comments for the staff: unanswered first (overdue first among them), newest first."""
    days = constants(parameters)["answer_deadline_days"]
    rows = db.session.execute(
        _approved(municipality_code).add_columns(Answer)
        .outerjoin(AnsweredComment, AnsweredComment.rating_id == Rating.id)
        .outerjoin(Answer, Answer.id == AnsweredComment.answer_id)
        .order_by(Rating.updated_at.desc(), Rating.id.desc()).limit(limit)).all()
    views = []
    for rating, answer in rows:
        published = _published(rating)
        views.append(CommentView(rating, published, deadline_of(published, days), answer))
    views.sort(key=lambda v: (v.answer is not None, not v.overdue))
    return views


def _views(answers: list[Answer]) -> list[AnswerView]:
    if not answers:
        return []
    ids = [a.id for a in answers]
    comments: dict[int, list[Rating]] = {}
    for link, rating in db.session.execute(
            select(AnsweredComment, Rating).join(Rating, Rating.id == AnsweredComment.rating_id)
            .where(AnsweredComment.answer_id.in_(ids)).order_by(Rating.id)):
        comments.setdefault(link.answer_id, []).append(rating)
    views = {a.id: AnswerView(a, comments.get(a.id, [])) for a in answers}
    for judgement in db.session.scalars(select(Judgement).where(Judgement.answer_id.in_(ids))):
        view = views[judgement.answer_id]
        if judgement.helpful is not None:
            if judgement.helpful:
                view.helpful += 1
            else:
                view.not_helpful += 1
        if judgement.done is not None:
            if judgement.done:
                view.done_yes += 1
            else:
                view.done_no += 1
    return [views[a.id] for a in answers]


def public_answers(municipality_code: str, limit: int = 20, period: int | None = None) -> list[AnswerView]:
    """Answers and commitments, newest first, with the comments they answer and residents' judgements."""
    stmt = select(Answer).where(Answer.municipality_code == municipality_code, Answer.withdrawn_at.is_(None))
    if period is not None:
        stmt = stmt.where(Answer.period == period)
    return _views(list(db.session.scalars(stmt.order_by(Answer.created_at.desc(), Answer.id.desc()).limit(limit))))


def open_promises(municipality_code: str) -> list[AnswerView]:
    stmt = (select(Answer).where(Answer.municipality_code == municipality_code, Answer.promise_status == "promised",
                                 Answer.withdrawn_at.is_(None))
            .order_by(Answer.promise_due, Answer.id))
    return _views(list(db.session.scalars(stmt)))


def overdue_comments(municipality_code: str, parameters: dict | None = None) -> int:
    """How many published comments wait for an answer longer than the methodology allows."""
    return sum(1 for v in staff_comments(municipality_code, parameters) if v.overdue)


@dataclass
class MyComment:
    rating: Rating
    answer: AnswerView | None
    judgement: Judgement | None


def my_comments(respondent, municipality_code: str, subject_code: str | None = None) -> list[MyComment]:
    """The respondent's own comments in this municipality (optionally on one subject), with answers."""
    if respondent is None or respondent.id is None:
        return []
    stmt = select(Rating).where(Rating.respondent_id == respondent.id, Rating.municipality_code == municipality_code,
                                Rating.comment.is_not(None))
    if subject_code:
        stmt = stmt.where(Rating.subject_code == subject_code)
    ratings = list(db.session.scalars(stmt.order_by(Rating.period.desc(), Rating.id.desc()).limit(20)))
    if not ratings:
        return []
    links = {link.rating_id: link.answer_id for link in db.session.scalars(
        select(AnsweredComment).where(AnsweredComment.rating_id.in_([r.id for r in ratings])))}
    answers = {v.answer.id: v for v in _views(list(db.session.scalars(
        select(Answer).where(Answer.id.in_(set(links.values()))))))} if links else {}
    judgements = {j.answer_id: j for j in db.session.scalars(
        select(Judgement).where(Judgement.respondent_id == respondent.id, Judgement.answer_id.in_(set(links.values()))))}
    return [MyComment(r, answers.get(links.get(r.id)), judgements.get(links.get(r.id))) for r in ratings]


# --- the responsiveness track ------------------------------------------------------------------------

def responsiveness_counts(municipality_code: str, period: int, parameters: dict | None = None) -> dict:
    """component → (successes, n) for one municipality and period, as of now (and "overdue": the
    published comments unanswered past the deadline)."""
    return _counts(period, parameters, municipality_code).get(municipality_code, _empty_counts())


def _empty_counts() -> dict:
    return {"answered_on_time": (0, 0), "promises_kept": (0, 0), "judged_helpful": (0, 0), "overdue": 0}


def _counts(period: int, parameters: dict | None, municipality_code: str | None) -> dict[str, dict]:
    """The counts of every municipality (or one) in a period: three queries whatever their number,
    each streamed or summed in the database, so that a worker's memory does not grow with the history."""
    days = constants(parameters)["answer_deadline_days"]
    now = utcnow()
    tally: dict[str, dict[str, list[int]]] = {}

    def add(code: str, component: str, success: bool, times: int = 1) -> None:
        entry = tally.setdefault(code, {"answered_on_time": [0, 0], "promises_kept": [0, 0],
                                        "judged_helpful": [0, 0], "overdue": [0, 0]})[component]
        entry[0] += times if success else 0
        entry[1] += times

    comments = (select(Rating.municipality_code, Rating.comment_moderated_at, Rating.updated_at, Rating.created_at,
                       Answer.created_at)
                .where(Rating.period == period, Rating.comment_status == "approved", Rating.status == "accepted",
                       Rating.comment.is_not(None))
                .outerjoin(AnsweredComment, AnsweredComment.rating_id == Rating.id)
                .outerjoin(Answer, Answer.id == AnsweredComment.answer_id))
    # The columns the count needs, not the answers (their bodies): a period has thousands of promises;
    # with each the residents' word on whether it was done (yes, no), counted in the same statement.
    done = Judgement.done.is_(True)
    columns = (Answer.id, Answer.municipality_code, Answer.promise_status, Answer.promise_due, Answer.done_at,
               Answer.withdrawn_at)
    promises = (select(*columns, func.coalesce(func.sum(case((done, 1), else_=0)), 0),
                       func.coalesce(func.sum(case((Judgement.done.is_(False), 1), else_=0)), 0))
                .outerjoin(Judgement, (Judgement.answer_id == Answer.id) & Judgement.done.is_not(None))
                .where(Answer.period == period, Answer.promise_due.is_not(None))
                .group_by(*columns))
    helpful = (select(Answer.municipality_code, Judgement.helpful, func.count())
               .join(Answer, Answer.id == Judgement.answer_id)
               .where(Answer.period == period, Judgement.helpful.is_not(None), Answer.withdrawn_at.is_(None))
               .group_by(Answer.municipality_code, Judgement.helpful))
    if municipality_code is not None:
        comments = comments.where(Rating.municipality_code == municipality_code)
        promises = promises.where(Answer.municipality_code == municipality_code)
        helpful = helpful.where(Answer.municipality_code == municipality_code)
    # One row per published comment (and per promise) of the whole country: streamed (PostgreSQL's
    # driver would otherwise hold the whole result at once, and the rows with it).
    comments = comments.execution_options(yield_per=STREAM_ROWS)
    for code, moderated_at, updated_at, created_at, answered_at in db.session.execute(comments):
        deadline = deadline_of(moderated_at or updated_at or created_at, days)
        if answered_at is not None:
            add(code, "answered_on_time", as_utc(answered_at) <= deadline)
        elif now > deadline:
            add(code, "answered_on_time", False)
            add(code, "overdue", True)
        else:
            cache.expires(deadline)  # counted as late from then on: a kept card must not outlive it
    local_today = today()
    for _, code, status, due, done_at, withdrawn_at, yes, no in db.session.execute(
            promises.execution_options(yield_per=STREAM_ROWS)):
        # A withdrawn promise counts as it stood when withdrawn, if its date had passed by then.
        as_of = min(local_today, local_date(withdrawn_at)) if withdrawn_at else local_today
        if status != "done" and due >= as_of:
            continue  # not due yet (or withdrawn before it was)
        if yes or no:
            kept = yes > no  # the residents' word, where they gave it
        else:
            kept = status == "done" and done_at is not None and local_date(done_at) <= due
        add(code, "promises_kept", kept)
    for code, was_helpful, times in db.session.execute(helpful):
        add(code, "judged_helpful", was_helpful, times)
    return {code: {name: (tuple(v) if name != "overdue" else v[1]) for name, v in entry.items()}
            for code, entry in tally.items()}


def responsiveness_track(municipality, period: int, params) -> dict:
    """The responsiveness track of a scorecard: index (0–100 or None), interval, n (comments due an
    answer), reason (when None) and components (share answered on time, share of promises done on
    time, residents' judgement). ``params``: a methodology ``Params`` (or a plain dict of values)."""
    values = getattr(params, "values", params) or {}
    return _track(responsiveness_counts(municipality.code, period, values), values)


def responsiveness_tracks(period: int, params) -> dict[str, dict]:
    """The responsiveness track of every municipality with comments or answers in the period, in
    three queries (for comparisons and positions); the others have no comment due: no index."""
    values = getattr(params, "values", params) or {}
    return {code: _track(counts, values) for code, counts in _counts(period, values, None).items()}


def _track(counts: dict, values: dict) -> dict:
    result = scoring.responsiveness_index(counts, constants(values), float(values.get("confidence", 0.90)))
    result["overdue_comments"] = counts["overdue"]
    result["min_sample"] = int(constants(values)["min_sample"])
    result["answer_deadline_days"] = int(constants(values)["answer_deadline_days"])
    return result


# --- the action plan ---------------------------------------------------------------------------------

def action_plan(card: dict, limit: int = 3) -> list[dict]:
    """What pulls the score down, from the scorecard: the published subjects with the lowest index,
    and the criteria below the citizen index (the lowest first)."""
    citizen = card.get("citizen") or {}
    subjects = sorted((s for s in citizen.get("subjects", []) if s.get("published") and s.get("index") is not None),
                      key=lambda s: s["index"])
    headline = citizen.get("index")
    items = [{"kind": "subject", "code": s["code"], "index": s["index"]} for s in subjects[:limit]
             if headline is None or s["index"] <= headline]
    criteria = sorted((c for c in citizen.get("criteria", []) if c.get("published") and c.get("index") is not None),
                      key=lambda c: c["index"])
    items += [{"kind": "criterion", "code": c["code"], "index": c["index"]} for c in criteria[:limit]
              if headline is None or c["index"] <= headline]
    return items


# --- the kenesh report -------------------------------------------------------------------------------

@dataclass
class Issue:
    subject_code: str
    comments: int
    examples: list[str]


def top_issues(municipality_code: str, period: int, limit: int = 6, examples: int = 2) -> list[Issue]:
    """What residents raised most: approved comments counted by subject, with the newest as examples."""
    counts = db.session.execute(
        _approved(municipality_code, period).with_only_columns(Rating.subject_code, func.count(Rating.id))
        .group_by(Rating.subject_code).order_by(func.count(Rating.id).desc(), Rating.subject_code).limit(limit)).all()
    issues = []
    for subject_code, n in counts:
        texts = db.session.scalars(
            _approved(municipality_code, period).with_only_columns(Rating.comment)
            .where(Rating.subject_code == subject_code)
            .order_by(func.length(Rating.comment).desc(), Rating.id.desc()).limit(examples)).all()
        issues.append(Issue(subject_code, int(n), list(texts)))
    return issues

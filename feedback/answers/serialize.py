"""Answers as JSON for /api/v1/municipalities/<code>/answers. Nothing about who wrote a comment.
Withdrawn answers are not listed (queries.public_answers); a corrected one has ``edited_at``."""
from . import queries


def answers_json(municipality_code: str, limit: int = 100) -> list[dict]:
    items = []
    for view in queries.public_answers(municipality_code, limit=limit):
        a = view.answer
        status = None
        if a.promise_status:
            status = "overdue" if view.overdue else a.promise_status
        items.append({
            "id": a.id, "kind": a.kind, "subject": a.subject_code, "criterion": a.criterion_code, "period": a.period,
            "language": a.language, "body": a.body, "answered_at": a.created_at.isoformat(),
            "edited_at": a.edited_at.isoformat() if a.edited_at else None,
            "comments": [r.comment for r in view.comments],
            "promise": ({"text": a.promise, "due": a.promise_due.isoformat(), "status": status,
                         "done_at": a.done_at.isoformat() if a.done_at else None, "done_note": a.done_note}
                        if a.promise_due else None),
            "judgements": {"helpful": view.helpful, "not_helpful": view.not_helpful,
                           "done": view.done_yes, "not_done": view.done_no},
        })
    return items

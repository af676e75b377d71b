"""Moderators' decisions: on comments (approve, reject with a reason, flag for a second look) and on
quarantined ratings (release: the rating counts; confirm: it stays out of the scores).

Every decision records who and when on the rating and appends an audit entry with the changed
fields before and after. A moderator scoped to a region acts only there; an admin everywhere.
Services add and flush; the view commits.
"""
from flask_babel import lazy_gettext as _l

from ..accounts.models import User
from ..accounts.policy import can_see_municipality
from ..audit.services import record
from ..db import db, utcnow
from ..ratings.models import Rating
from ..ratings.signals import changed, state_of
from ..territory.models import Municipality

MODERATOR_FLAG = "moderator"
REASON_MAX = 500


class ModerationError(Exception):
    """A decision that cannot be taken; ``field`` names the input at fault (or "item")."""

    def __init__(self, field: str, code: str, message):
        super().__init__(code)
        self.field, self.code, self.message = field, code, message


class NotFound(ModerationError):
    """No such item, or it lies outside the user's scope: the two are not told apart."""

    def __init__(self):
        super().__init__("item", "not_found", _l("There is no such item."))


def _may_moderate(user: User) -> bool:
    return user.is_authenticated and user.active and user.role in ("moderator", "admin")


def rating_in_scope(user: User, rating_id: int) -> Rating:
    """The rating, if it exists and the user may moderate it; NotFound otherwise."""
    rating = db.session.get(Rating, rating_id)
    if rating is None or not _may_moderate(user):
        raise NotFound()
    municipality = db.session.get(Municipality, rating.municipality_code)
    if municipality is None or not can_see_municipality(user, municipality):
        raise NotFound()
    return rating


def _flags(rating: Rating) -> list[str]:
    return [f for f in (rating.comment_flags or "").split(",") if f]


def _comment_fields(rating: Rating) -> dict:
    return {"comment_status": rating.comment_status, "comment_flags": rating.comment_flags or "",
            "comment_rejection_reason": rating.comment_rejection_reason}


def _quarantine_fields(rating: Rating) -> dict:
    return {"status": rating.status, "quarantine_rule": rating.quarantine_rule,
            "quarantine_decision": rating.quarantine_decision}


def _commented(user: User, rating_id: int) -> Rating:
    rating = rating_in_scope(user, rating_id)
    if not rating.comment or rating.comment_status is None:
        raise ModerationError("item", "no_comment", _l("This rating has no comment."))
    return rating


def _decide_comment(user: User, rating: Rating, action: str, **fields) -> Rating:
    before = _comment_fields(rating)
    for name, value in fields.items():
        setattr(rating, name, value)
    rating.comment_moderated_by = user.id
    rating.comment_moderated_at = utcnow()
    db.session.flush()
    record(action, "rating", rating.id, actor_id=user.id, before=before, after=_comment_fields(rating))
    return rating


def approve_comment(user: User, rating_id: int) -> Rating:
    """Publish the comment on the municipality's page."""
    rating = _commented(user, rating_id)
    return _decide_comment(user, rating, "comment.approve", comment_status="approved",
                           comment_rejection_reason=None)


def reject_comment(user: User, rating_id: int, reason: str | None) -> Rating:
    """Keep the comment off the public pages; the reason is required and kept with the decision."""
    rating = _commented(user, rating_id)
    reason = (reason or "").strip()
    if not reason:
        raise ModerationError("reason", "required", _l("Give the reason for rejecting the comment."))
    if len(reason) > REASON_MAX:
        raise ModerationError("reason", "too_long", _l("The reason is too long: at most %(max)s characters.",
                                                       max=REASON_MAX))
    return _decide_comment(user, rating, "comment.reject", comment_status="rejected",
                           comment_rejection_reason=reason)


# i18n: canned reasons a moderator picks when rejecting comments; the one chosen is stored in the
# moderator's language.
CANNED_REASONS = {
    "insult": _l("Insults, hate speech or threats"),
    "personal_data": _l("Personal data of a person (name with accusations, phone, address)"),
    "spam": _l("Advertising, spam or a link unrelated to the local government"),
    "off_topic": _l("Not about this local government's services or local issues"),
    "unlawful": _l("Calls for violence or other unlawful acts"),
}


def reason_text(canned: str | None, reason: str | None) -> str | None:
    """The reason to store: the moderator's own words, else the canned reason chosen."""
    if reason and reason.strip():
        return reason
    if canned in CANNED_REASONS:
        return str(CANNED_REASONS[canned])
    return reason


def decide_many(user: User, rating_ids: list[int], action: str, reason: str | None = None) -> int:
    """Approve or reject several comments at once (each audited as a decision of its own); stops at
    the first refusal so that nothing is half-done — the view rolls back."""
    if not rating_ids:
        raise ModerationError("ratings", "required", _l("Choose at least one comment."))
    for rating_id in sorted(set(rating_ids)):
        if action == "approve":
            approve_comment(user, rating_id)
        elif action == "reject":
            reject_comment(user, rating_id, reason)
        else:
            raise ModerationError("action", "unknown", _l("Choose approve or reject."))
    return len(set(rating_ids))


def flag_comment(user: User, rating_id: int) -> Rating:
    """Leave the comment pending but mark it for a second look (it moves to the top of the queue)."""
    rating = _commented(user, rating_id)
    if rating.comment_status != "pending":
        raise ModerationError("item", "decided", _l("Only a comment that awaits moderation can be flagged."))
    flags = _flags(rating)
    if MODERATOR_FLAG not in flags:
        flags.append(MODERATOR_FLAG)
    return _decide_comment(user, rating, "comment.flag", comment_flags=",".join(flags))


def _decide_quarantine(user: User, rating_id: int, action: str, decision: str, status: str) -> Rating:
    rating = rating_in_scope(user, rating_id)
    # Only ratings an anti-abuse rule caught are reviewed; a decision may be revised.
    if rating.quarantine_rule is None:
        raise ModerationError("item", "not_quarantined", _l("This rating was not quarantined."))
    before, audit_before = state_of(rating), _quarantine_fields(rating)
    rating.status = status
    rating.quarantine_decision = decision
    rating.quarantine_reviewed_by = user.id
    rating.quarantine_reviewed_at = utcnow()
    db.session.flush()
    # The scorecard aggregates follow the rating's counted state in the same transaction.
    changed(before, rating)
    record(action, "rating", rating.id, actor_id=user.id, before=audit_before, after=_quarantine_fields(rating))
    return rating


def release_rating(user: User, rating_id: int) -> Rating:
    """The rule caught an honest rating: it counts from now on."""
    return _decide_quarantine(user, rating_id, "rating.release", "released", "accepted")


def confirm_quarantine(user: User, rating_id: int) -> Rating:
    """The rule was right: the rating stays quarantined (counted apart, never in the scores)."""
    return _decide_quarantine(user, rating_id, "rating.confirm", "confirmed", "quarantined")

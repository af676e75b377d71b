"""Moderators' decisions: what each one changes, who and when, the audit entry, and the scope."""
import json

import pytest
from sqlalchemy import select

from feedback.audit.models import AuditEntry
from feedback.audit.services import verify_chain
from feedback.moderation import services
from feedback.ratings.services import current_period
from feedback.scorecards.queries import subject_summary

from .conftest import AK_BULUN, ISSYK_KUL


def _last_audit(session) -> AuditEntry:
    return session.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1))


@pytest.fixture
def moderator(create_user):
    return create_user("moderator")


def test_approve_records_who_when_and_audits(session, moderator, make_rating):
    rating = make_rating(comment="Суу жок", flags="")
    services.approve_comment(moderator, rating.id)
    assert rating.comment_status == "approved"
    assert rating.comment_moderated_by == moderator.id and rating.comment_moderated_at is not None
    entry = _last_audit(session)
    assert (entry.action, entry.entity, entry.entity_id, entry.actor_id) == ("comment.approve", "rating", str(rating.id), moderator.id)
    assert json.loads(entry.before)["comment_status"] == "pending"
    assert json.loads(entry.after)["comment_status"] == "approved"
    assert verify_chain()[1] is None


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_reject_needs_a_reason(moderator, make_rating, reason):
    rating = make_rating(comment="Жаман")
    with pytest.raises(services.ModerationError) as caught:
        services.reject_comment(moderator, rating.id, reason)
    assert caught.value.field == "reason"
    assert rating.comment_status == "pending"


def test_reject_reason_has_a_limit(moderator, make_rating):
    rating = make_rating(comment="Жаман")
    with pytest.raises(services.ModerationError) as caught:
        services.reject_comment(moderator, rating.id, "x" * (services.REASON_MAX + 1))
    assert caught.value.code == "too_long"


def test_reject_keeps_the_reason_and_audits(session, moderator, make_rating):
    rating = make_rating(comment="Реклама www.example.com", flags="link")
    services.reject_comment(moderator, rating.id, "  Advertising  ")
    assert rating.comment_status == "rejected"
    assert rating.comment_rejection_reason == "Advertising"
    assert rating.comment_moderated_by == moderator.id
    entry = _last_audit(session)
    assert entry.action == "comment.reject"
    assert json.loads(entry.after) == {"comment_status": "rejected", "comment_flags": "link",
                                       "comment_rejection_reason": "Advertising"}


def test_flag_keeps_pending_and_adds_the_moderator_flag_once(session, moderator, make_rating):
    rating = make_rating(comment="Call 0555 123 456", flags="phone")
    services.flag_comment(moderator, rating.id)
    services.flag_comment(moderator, rating.id)
    assert rating.comment_status == "pending"
    assert rating.comment_flags == "phone,moderator"
    entry = _last_audit(session)
    assert entry.action == "comment.flag" and json.loads(entry.after)["comment_flags"] == "phone,moderator"


def test_only_pending_comments_can_be_flagged(moderator, make_rating):
    rating = make_rating(comment="Жакшы", comment_status="approved")
    with pytest.raises(services.ModerationError) as caught:
        services.flag_comment(moderator, rating.id)
    assert caught.value.code == "decided"


def test_a_rating_without_a_comment_has_nothing_to_moderate(moderator, make_rating):
    rating = make_rating()
    with pytest.raises(services.ModerationError) as caught:
        services.approve_comment(moderator, rating.id)
    assert caught.value.code == "no_comment"


def test_release_makes_the_rating_count(session, moderator, make_rating):
    make_rating(overall=2)
    rating = make_rating(overall=5, status="quarantined", rule="burst_address")
    before = subject_summary(AK_BULUN, "LI-WATER", current_period())
    services.release_rating(moderator, rating.id)
    after = subject_summary(AK_BULUN, "LI-WATER", current_period())
    assert (after.n, after.quarantined) == (before.n + 1, before.quarantined - 1)
    assert rating.status == "accepted" and rating.quarantine_decision == "released"
    assert rating.quarantine_rule == "burst_address"  # what caught it stays on record
    assert rating.quarantine_reviewed_by == moderator.id and rating.quarantine_reviewed_at is not None
    entry = _last_audit(session)
    assert entry.action == "rating.release"
    assert json.loads(entry.before)["status"] == "quarantined"
    assert json.loads(entry.after) == {"status": "accepted", "quarantine_rule": "burst_address",
                                       "quarantine_decision": "released"}


def test_release_announces_the_change(moderator, make_rating):
    from feedback.ratings.signals import rating_changed

    rating = make_rating(status="quarantined")
    seen = []

    def listener(sender, old, new):
        seen.append((old.status, new.status))

    with rating_changed.connected_to(listener):
        services.release_rating(moderator, rating.id)
    assert seen == [("quarantined", "accepted")]


def test_confirm_keeps_the_rating_out(session, moderator, make_rating):
    rating = make_rating(status="quarantined", rule="honeypot")
    before = subject_summary(AK_BULUN, "LI-WATER", current_period())
    services.confirm_quarantine(moderator, rating.id)
    assert rating.status == "quarantined" and rating.quarantine_decision == "confirmed"
    assert rating.quarantine_reviewed_by == moderator.id
    assert subject_summary(AK_BULUN, "LI-WATER", current_period()) == before
    assert _last_audit(session).action == "rating.confirm"


def test_a_confirmed_quarantine_can_still_be_released(moderator, make_rating):
    rating = make_rating(status="quarantined")
    services.confirm_quarantine(moderator, rating.id)
    services.release_rating(moderator, rating.id)
    assert rating.status == "accepted" and rating.quarantine_decision == "released"


def test_a_rating_no_rule_caught_is_not_reviewed(moderator, make_rating):
    rating = make_rating()
    with pytest.raises(services.ModerationError) as caught:
        services.release_rating(moderator, rating.id)
    assert caught.value.code == "not_quarantined"


def test_regional_moderator_acts_only_in_their_region(create_user, make_rating, elsewhere):
    regional = create_user("moderator", region_code=ISSYK_KUL)
    here = make_rating(comment="Бул жерде")
    there = make_rating(elsewhere.code, comment="Башка жерде")
    services.approve_comment(regional, here.id)
    for action in (services.approve_comment, services.flag_comment):
        with pytest.raises(services.NotFound):
            action(regional, there.id)
    with pytest.raises(services.NotFound):
        services.reject_comment(regional, there.id, "reason")
    quarantined = make_rating(elsewhere.code, "LI-ROADS", status="quarantined")
    with pytest.raises(services.NotFound):
        services.release_rating(regional, quarantined.id)
    assert there.comment_status == "pending" and quarantined.status == "quarantined"


def test_admin_and_nationwide_moderator_act_everywhere(create_user, make_rating, elsewhere):
    for user in (create_user("admin"), create_user("moderator")):
        rating = make_rating(elsewhere.code, comment="Башка жерде")
        services.approve_comment(user, rating.id)
        assert rating.comment_status == "approved"


@pytest.mark.parametrize("role", ["lsg_staff", "state_evaluator", "analyst", "monitor"])
def test_other_roles_cannot_moderate(create_user, make_rating, role):
    rating = make_rating(comment="Жакшы")
    fields = {"municipality_code": AK_BULUN} if role == "lsg_staff" else {}
    with pytest.raises(services.NotFound):
        services.approve_comment(create_user(role, **fields), rating.id)


def test_an_unknown_rating_is_not_found(moderator):
    with pytest.raises(services.NotFound):
        services.approve_comment(moderator, 10**9)

"""The assessment workflow: draft, evidence, submit, reply, peer review, finalise; who may do what."""
import datetime as dt

import pytest
from sqlalchemy import select

from feedback.audit.models import AuditEntry
from feedback.scorecards import methodology as mth
from feedback.territory.models import Municipality
from feedback.transparency import queries, services
from feedback.transparency.services import AnswersInput, ReviewInput, TransparencyError

from .conftest import M_X, YEAR, all_answers

PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 20


def submitted(session, people, **overrides):
    m = session.get(Municipality, M_X)
    a = services.open_draft(people["monitor"], m, YEAR)
    services.save_answers(people["monitor"], a, AnswersInput(all_answers(session, **overrides), {"BT-2-02": "Стенд"}))
    services.add_evidence(people["monitor"], a, "BT-2-02", filename="board.png", data=PNG)
    services.submit(people["monitor"], a)
    return a


def test_full_workflow_makes_the_track(session, people):
    a = submitted(session, people, **{"BT-1-06": "na", "BT-3-01": "partial", "BT-3-02": "no"})
    assert a.status == "submitted" and a.reply_due is not None
    services.reply(people["staff"], a, "BT-3-02", "Угуулар 2032-жылы болот")
    services.add_evidence(people["staff"], a, "BT-3-02", party="lsg", url="https://example.kg/protocol")
    assert queries.budget_transparency_track(session.get(Municipality, M_X), YEAR)["reason"] == "not_assessed"
    services.review(people["reviewer"], a, ReviewInput(all_answers(session, "agree", **{"BT-3-01": "no"}), {"BT-3-01": "Протокол жок"}, ""))
    services.finalise(people["monitor"], a)
    track = queries.budget_transparency_track(session.get(Municipality, M_X), YEAR, mth.get())
    # area 3 (20 15 15 20 15 15): BT-3-01 partial (20×50), BT-3-02 no → (1000 + 65×100)/100 = 75
    assert track["areas"] == [{"area": 1, "score": 100.0}, {"area": 2, "score": 100.0}, {"area": 3, "score": 75.0}]
    assert track["index"] == pytest.approx(275 / 3)  # full precision: rounded only where published
    assert track["disagreements"] == 1
    item = next(i for i in track["items"] if i["code"] == "BT-3-02")
    assert item["replies"][0]["body"].startswith("Угуулар") and item["replies"][0]["evidence"][0]["url"]
    board = next(i for i in track["items"] if i["code"] == "BT-2-02")
    assert board["evidence"][0]["filename"] == "board.png" and board["note"] == "Стенд"
    actions = session.scalars(select(AuditEntry.action).where(AuditEntry.entity == "transparency_assessment")).all()
    assert {"transparency.open", "transparency.save", "transparency.submit", "transparency.reply",
            "transparency.review", "transparency.finalise", "transparency.evidence"} <= set(actions)


def test_without_a_final_assessment_not_assessed_never_zero(session, people):
    submitted(session, people, answer="no")
    track = queries.budget_transparency_track(session.get(Municipality, M_X), YEAR)
    assert track["index"] is None and track["reason"] == "not_assessed"


def test_only_monitors_in_scope_fill(session, people):
    m = session.get(Municipality, M_X)
    for who in ("monitor_far", "staff"):
        with pytest.raises(services.OutOfScope):
            services.open_draft(people[who], m, YEAR)
    a = services.open_draft(people["monitor"], m, YEAR)
    with pytest.raises(services.OutOfScope):  # another monitor in scope may not edit someone's draft
        services.save_answers(people["reviewer"], a, AnswersInput(all_answers(session)))


def test_submit_needs_every_item_and_bad_input_changes_nothing(session, people):
    m = session.get(Municipality, M_X)
    a = services.open_draft(people["monitor"], m, YEAR)
    answers = all_answers(session)
    answers["BT-2-01"] = "na"  # not allowed for this item
    with pytest.raises(services.Invalid) as caught:
        services.save_answers(people["monitor"], a, AnswersInput(answers))
    assert "item-BT-2-01" in caught.value.errors and a.answers == []
    answers.pop("BT-2-01")
    services.save_answers(people["monitor"], a, AnswersInput(answers))
    with pytest.raises(services.Invalid) as caught:
        services.submit(people["monitor"], a)
    assert "item-BT-2-01" in caught.value.errors and a.status == "draft"
    with pytest.raises(TransparencyError):
        services.add_evidence(people["monitor"], a, "BT-2-01", filename="x.png", data=b"not a png")


def test_only_that_municipality_staff_reply_and_only_in_time(session, people):
    a = submitted(session, people)
    with pytest.raises(services.OutOfScope):
        services.reply(people["staff_other"], a, "BT-1-01", "Жооп")
    with pytest.raises(services.OutOfScope):
        services.reply(people["monitor"], a, "BT-1-01", "Жооп")
    a.reply_due = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    with pytest.raises(TransparencyError) as caught:
        services.reply(people["staff"], a, "BT-1-01", "Жооп")
    assert caught.value.code == "reply_closed"


def test_author_cannot_review_and_reviewer_cannot_finalise(session, people):
    a = submitted(session, people)
    with pytest.raises(services.OutOfScope):
        services.review(people["monitor"], a, ReviewInput({}))
    with pytest.raises(services.OutOfScope):
        services.review(people["monitor_far"], a, ReviewInput({}))
    with pytest.raises(TransparencyError) as caught:  # not reviewed yet
        services.finalise(people["monitor"], a)
    assert caught.value.code == "not_reviewed"
    services.review(people["reviewer"], a, ReviewInput(all_answers(session, "agree")))
    with pytest.raises(services.OutOfScope):
        services.finalise(people["reviewer"], a)
    with pytest.raises(TransparencyError) as caught:  # the LSG may still reply and has not
        services.finalise(people["monitor"], a)
    assert caught.value.code == "reply_time"
    a.reply_due = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    services.finalise(people["monitor"], a)
    assert a.status == "final"


def test_monitor_home_lists_scope_with_what_is_due(session, people):
    submitted(session, people)
    rows = {r.municipality.code: r for r in queries.monitor_home(people["reviewer"], YEAR)}
    assert rows[M_X].due == "review"
    assert all(r.municipality.region_code == "41702000000000" for r in rows.values())
    mine = {r.municipality.code: r for r in queries.monitor_home(people["monitor"], YEAR)}
    assert mine[M_X].due is None and mine[M_X].status == "submitted"


def test_closed_period_changes_nothing(session, people):
    from feedback.catalog.models import Period

    a = submitted(session, people)
    session.get(Period, YEAR).status = "closed"
    session.flush()
    for act in (lambda: services.reply(people["staff"], a, "BT-1-01", "Жооп"),
                lambda: services.review(people["reviewer"], a, ReviewInput(all_answers(session, "agree"))),
                lambda: services.open_draft(people["monitor"], session.get(Municipality, "41702205807000"), YEAR)):
        with pytest.raises(TransparencyError) as caught:
            act()
        assert caught.value.code == "period_closed"
    assert a.status == "submitted" and a.replies == []


def test_evidence_is_removed_from_a_draft_only_and_audited(session, people):
    a = services.open_draft(people["monitor"], session.get(Municipality, M_X), YEAR)
    link = services.add_evidence(people["monitor"], a, "BT-2-01", url="https://okmot.kg/budget")
    with pytest.raises(TransparencyError):
        services.add_evidence(people["monitor"], a, "BT-2-01", url="javascript:alert(1)")
    services.remove_evidence(people["monitor"], a, link.id)
    assert a.evidence == []
    assert session.scalar(select(AuditEntry.action).order_by(AuditEntry.id.desc()).limit(1)) == "transparency.evidence_remove"


def test_a_monitor_scoped_to_municipalities_sees_only_those(session, create_user):
    from feedback.accounts.models import UserMunicipality
    from feedback.catalog.models import Period

    session.add(Period(year=YEAR, status="open"))
    monitor = create_user("monitor")
    session.add(UserMunicipality(user_id=monitor.id, municipality_code=M_X))
    session.flush()
    session.refresh(monitor)
    assert [r.municipality.code for r in queries.monitor_home(monitor, YEAR)] == [M_X]
    assert services.can_assess(monitor, session.get(Municipality, M_X))
    assert not services.can_assess(monitor, session.get(Municipality, "41702205807000"))


def test_the_author_revises_after_the_reply_until_the_review(session, people):
    a = submitted(session, people, **{"BT-3-02": "no"})
    services.reply(people["staff"], a, "BT-3-02", "Протокол сайтта")
    revised = all_answers(session, **{"BT-3-02": "partial"})
    services.save_answers(people["monitor"], a, AnswersInput(revised))
    assert {x.item_code: x.answer for x in a.answers}["BT-3-02"] == "partial" and a.status == "submitted"
    assert session.scalar(select(AuditEntry.action).order_by(AuditEntry.id.desc()).limit(1)) == "transparency.revise"
    with pytest.raises(services.Invalid):  # a revision cannot leave an item unanswered
        services.save_answers(people["monitor"], a, AnswersInput({**revised, "BT-1-01": ""}))
    with pytest.raises(TransparencyError):
        services.submit(people["monitor"], a)  # already submitted
    services.review(people["reviewer"], a, ReviewInput(all_answers(session, "agree")))
    with pytest.raises(TransparencyError) as caught:
        services.save_answers(people["monitor"], a, AnswersInput(revised))
    assert caught.value.code == "not_draft"

"""The municipality's staff correct or withdraw an answer: scope-checked, CSRF, audited with the
before and after; an edited answer says so with the date; a withdrawn one leaves the public page and
the API (not the audit), its comments wait for an answer again, and the responsiveness index counts
it as services.withdraw_answer says."""
import datetime as dt
import json

import pytest
import time_machine
from sqlalchemy import select

from feedback.answers import queries, services
from feedback.answers.models import Answer, SmsNotice
from feedback.answers.services import AnswerError, NotFound
from feedback.answers.services import today as local_today  # Kyrgyzstan's date, not the machine's
from feedback.audit.models import AuditEntry
from feedback.ratings.respondents import keyed_hash

from ..conftest import csrf_token
from ..helpers import fresh_get, visible_text
from .conftest import AK_BULUN

BODY = "Быйыл суу түтүгүн алмаштырабыз."


def _answer(staff, comments, **kwargs):
    return services.answer_comments(staff, AK_BULUN, [c.id for c in comments], kwargs.pop("language", "ky"),
                                    kwargs.pop("body", BODY), **kwargs)


def _audit(session, action):
    return session.scalar(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id.desc()))


# --- the rules ---------------------------------------------------------------------------------------

def test_an_edit_is_audited_with_the_before_and_after_and_marked(session, staff, make_comment):
    answer = _answer(staff, [make_comment()])
    assert answer.edited_at is None
    services.edit_answer(staff, answer.id, "ru", "Заменим трубы в этом году.")
    assert answer.body == "Заменим трубы в этом году." and answer.language == "ru"
    assert answer.edited_at is not None and answer.edited_by == staff.id
    entry = _audit(session, "answer.edit")
    assert entry.actor_id == staff.id
    assert json.loads(entry.before) == {"body": BODY, "language": "ky"}
    assert json.loads(entry.after) == {"body": "Заменим трубы в этом году.", "language": "ru"}
    assert answer.created_at is not None  # timeliness still counts from the first publication


def test_saving_unchanged_is_no_edit(session, staff, make_comment):
    answer = _answer(staff, [make_comment()])
    services.edit_answer(staff, answer.id, "ky", BODY)
    assert answer.edited_at is None and _audit(session, "answer.edit") is None


def test_only_that_municipalitys_staff_edit_or_withdraw(session, staff, other_staff, create_user, make_comment):
    answer = _answer(staff, [make_comment()])
    for user in (other_staff, create_user("admin"), create_user("moderator")):
        with pytest.raises(NotFound):
            services.edit_answer(user, answer.id, "ky", "Башка текст")
        with pytest.raises(NotFound):
            services.withdraw_answer(user, answer.id)
    assert answer.body == BODY and answer.withdrawn_at is None


def test_a_passed_or_done_promise_keeps_its_text_and_date(staff, make_comment):
    due = local_today() + dt.timedelta(days=5)
    answer = _answer(staff, [make_comment()], promise="Түтүк", promise_due=due)
    later = due + dt.timedelta(days=30)
    services.edit_answer(staff, answer.id, "ky", BODY, "Жаңы түтүк", later)  # before the date: may move it
    assert answer.promise == "Жаңы түтүк" and answer.promise_due == later
    with time_machine.travel(dt.datetime.combine(later + dt.timedelta(days=1), dt.time(12), dt.UTC), tick=False):
        with pytest.raises(AnswerError) as error:
            services.edit_answer(staff, answer.id, "ky", BODY, "Жаңы түтүк", later + dt.timedelta(days=60))
        assert error.value.field == "promise_due" and error.value.code == "fixed"
        with pytest.raises(AnswerError, match="fixed"):
            services.edit_answer(staff, answer.id, "ky", BODY, None, None)  # taking a broken promise back
        services.edit_answer(staff, answer.id, "ky", "Кечиресиздер.", "Жаңы түтүк", later)  # the text may change
        assert answer.body == "Кечиресиздер." and answer.promise_due == later
    services.mark_done(staff, answer.id, "Бүттү")
    with pytest.raises(AnswerError, match="fixed"):
        services.edit_answer(staff, answer.id, "ky", BODY, "Башка иш", later)


def test_withdrawn_comments_wait_again_and_are_late_when_answered_late(session, staff, make_comment):
    days = queries.constants()["answer_deadline_days"]
    comments = [make_comment(f"Пикир {i}", days_ago=1) for i in range(5)]
    period = comments[0].period
    answer = _answer(staff, comments)
    assert queries.responsiveness_counts(AK_BULUN, period)["answered_on_time"] == (5, 5)
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=days + 1), tick=False):
        services.withdraw_answer(staff, answer.id)
        counts = queries.responsiveness_counts(AK_BULUN, period)
        assert counts["answered_on_time"] == (0, 5) and counts["overdue"] == 5  # unanswered again, past due
        statuses = queries.comment_statuses([c.id for c in comments])
        assert {s.state for s in statuses.values()} == {"overdue"}
        again = _answer(staff, comments)  # they may be answered anew, late: not on time
        assert queries.responsiveness_counts(AK_BULUN, period)["answered_on_time"] == (0, 5)
        assert again.id != answer.id


def test_a_withdrawn_answer_leaves_the_public_lists_but_not_the_audit(session, staff, make_comment, resident):
    comment = make_comment(respondent=resident)
    answer = _answer(staff, [comment], promise="Түтүк", promise_due=local_today() + dt.timedelta(days=9))
    services.judge(resident, answer.id, comment.id, helpful="no")
    assert queries.responsiveness_counts(AK_BULUN, comment.period)["judged_helpful"] == (0, 1)
    services.withdraw_answer(staff, answer.id)
    assert queries.public_answers(AK_BULUN) == [] and queries.open_promises(AK_BULUN) == []
    assert queries.my_comments(resident, AK_BULUN)[0].answer is None
    counts = queries.responsiveness_counts(AK_BULUN, comment.period)
    assert counts["judged_helpful"] == (0, 0)  # judgements of a withdrawn answer no longer count
    assert counts["promises_kept"] == (0, 0)  # withdrawn before its date: not counted
    entry = _audit(session, "answer.withdraw")
    assert entry.actor_id == staff.id and json.loads(entry.before)["body"] == BODY
    assert json.loads(entry.after) == {"withdrawn": True, "comments_unanswered": [comment.id]}
    assert session.get(Answer, answer.id).withdrawn_at is not None  # the row stays
    with pytest.raises(NotFound):
        services.judge(resident, answer.id, comment.id, helpful="yes")
    for change in (lambda: services.edit_answer(staff, answer.id, "ky", "Башка"),
                   lambda: services.mark_done(staff, answer.id, "Бүттү"),
                   lambda: services.withdraw_answer(staff, answer.id)):
        with pytest.raises(NotFound):
            change()


def test_withdrawing_a_broken_promise_does_not_erase_it(staff, make_comment):
    due = local_today() + dt.timedelta(days=3)
    answer = _answer(staff, [make_comment()], promise="Түтүк", promise_due=due)
    period = answer.period
    with time_machine.travel(dt.datetime.combine(due + dt.timedelta(days=2), dt.time(12), dt.UTC), tick=False):
        assert queries.responsiveness_counts(AK_BULUN, period)["promises_kept"] == (0, 1)
        services.withdraw_answer(staff, answer.id)
        assert queries.responsiveness_counts(AK_BULUN, period)["promises_kept"] == (0, 1)
    with time_machine.travel(dt.datetime.combine(due + dt.timedelta(days=90), dt.time(12), dt.UTC), tick=False):
        assert queries.responsiveness_counts(AK_BULUN, period)["promises_kept"] == (0, 1)


def test_a_pending_sms_about_a_withdrawn_answer_is_not_sent(session, staff, make_comment, resident):
    resident.phone_hash = keyed_hash("+996555123456", "phone")
    resident.phone_verified_at = dt.datetime.now(dt.UTC)
    comment = make_comment(respondent=resident)
    notice = services.opt_in_sms(resident, comment.id, "0555 123 456", "ky")
    answer = _answer(staff, [comment])
    assert notice.status == "due"
    services.withdraw_answer(staff, answer.id)
    assert notice.status == "waiting" and notice.answer_id is None and notice.phone_cipher
    again = _answer(staff, [comment])
    assert session.scalar(select(SmsNotice)).answer_id == again.id


# --- through HTTP --------------------------------------------------------------------------------------

@pytest.fixture
def staff_client(app, staff, sign_in):
    return sign_in(app.test_client(), staff)


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_staff_edit_over_http_and_the_public_sees_the_mark(app, client, session, staff_client, staff, make_comment,
                                                           lang):
    answer = _answer(staff, [make_comment("Суу жок")])
    listing = fresh_get(app, staff_client, f"/{lang}/staff/answers/").get_data(as_text=True)
    assert f"/staff/answers/{answer.id}/edit" in listing
    page = fresh_get(app, staff_client, f"/{lang}/staff/answers/{answer.id}/edit")
    assert page.status_code == 200 and BODY in page.get_data(as_text=True)
    html = page.get_data(as_text=True)
    assert "<script" not in html.split("<main", 1)[-1]
    with app.app_context():
        refused = staff_client.post(f"/{lang}/staff/answers/{answer.id}/edit",
                                    data={"language": lang, "body": "Оңдолгон жооп"})  # no CSRF token
    assert refused.status_code == 400 and session.get(Answer, answer.id).body == BODY
    with app.app_context():
        saved = staff_client.post(f"/{lang}/staff/answers/{answer.id}/edit",
                                  data={"csrf_token": csrf_token(html), "language": lang, "body": "Оңдолгон жооп"})
    assert saved.status_code == 303
    session.expire_all()
    assert session.get(Answer, answer.id).body == "Оңдолгон жооп"
    public = visible_text(fresh_get(app, client, f"/{lang}/m/{AK_BULUN}/").get_data(as_text=True))
    assert "Оңдолгон жооп" in public and BODY not in public
    assert {"ky": "оңдолгон күнү:", "ru": "изменён"}[lang] in public
    item = fresh_get(app, client, f"/api/v1/municipalities/{AK_BULUN}/answers").get_json()["items"][0]
    assert item["body"] == "Оңдолгон жооп" and item["edited_at"] is not None


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_staff_withdraw_over_http_only_when_confirmed(app, client, session, staff_client, staff, make_comment, lang):
    comment = make_comment("Суу жок")
    answer = _answer(staff, [comment])
    html = fresh_get(app, staff_client, f"/{lang}/staff/answers/{answer.id}/edit").get_data(as_text=True)
    with app.app_context():
        unconfirmed = staff_client.post(f"/{lang}/staff/answers/{answer.id}/withdraw",
                                        data={"csrf_token": csrf_token(html)})
    assert unconfirmed.status_code == 400 and session.get(Answer, answer.id).withdrawn_at is None
    assert {"ky": "белгини коюңуз", "ru": "Отметьте поле"}[lang] in unconfirmed.get_data(as_text=True)
    with app.app_context():
        no_token = staff_client.post(f"/{lang}/staff/answers/{answer.id}/withdraw", data={"confirm": "y"})
    assert no_token.status_code == 400 and session.get(Answer, answer.id).withdrawn_at is None
    with app.app_context():
        done = staff_client.post(f"/{lang}/staff/answers/{answer.id}/withdraw",
                                 data={"csrf_token": csrf_token(html), "confirm": "y"})
    assert done.status_code == 303 and "withdrawn=1" in done.headers["Location"]
    session.expire_all()
    assert session.get(Answer, answer.id).withdrawn_at is not None
    public = fresh_get(app, client, f"/{lang}/m/{AK_BULUN}/").get_data(as_text=True)
    assert BODY not in public and f'id="answer-{answer.id}"' not in public
    assert fresh_get(app, client, f"/api/v1/municipalities/{AK_BULUN}/answers").get_json()["items"] == []
    staff_page = fresh_get(app, staff_client, f"/{lang}/staff/answers/").get_data(as_text=True)
    assert f'value="{comment.id}"' in staff_page  # waiting for an answer again
    assert fresh_get(app, staff_client, f"/{lang}/staff/answers/{answer.id}/edit").status_code == 404


def test_other_municipalitys_staff_get_404(app, session, staff, other_staff, sign_in, make_comment, monkeypatch):
    answer = _answer(staff, [make_comment()])
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    other = sign_in(app.test_client(), other_staff)
    assert fresh_get(app, other, f"/ru/staff/answers/{answer.id}/edit").status_code == 404
    with app.app_context():
        assert other.post(f"/ru/staff/answers/{answer.id}/edit", data={"language": "ru", "body": "x"}).status_code == 404
        assert other.post(f"/ru/staff/answers/{answer.id}/withdraw", data={"confirm": "y"}).status_code == 404
    assert session.get(Answer, answer.id).body == BODY and session.get(Answer, answer.id).withdrawn_at is None


def test_a_withdrawn_answers_photo_is_gone(app, client, session, staff, make_comment):
    answer = _answer(staff, [make_comment()], promise="Түтүк", promise_due=local_today() + dt.timedelta(days=3))
    answer.photo_name, answer.photo_type, answer.photo_data = "done.png", "image/png", b"\x89PNG\r\n\x1a\n"
    answer.photo_sha256 = "0" * 64
    session.flush()
    assert fresh_get(app, client, f"/ru/answers/{answer.id}/photo").status_code == 200
    services.withdraw_answer(staff, answer.id)
    assert fresh_get(app, client, f"/ru/answers/{answer.id}/photo").status_code == 404

"""Against each published comment, the public (and the staff) see its answer status: answered on a
date, overdue since a date, or awaiting an answer due by a date — with a frozen clock."""
import datetime as dt
import re

import pytest
import time_machine

from feedback.answers import queries, services
from feedback.answers.services import today

from ..helpers import fresh_get, visible_text
from .conftest import AK_BULUN

STATUS = {
    "ky": {"answered": "{date} жооп берилди", "overdue": "Жооп жок: мөөнөтү өттү ({date})",
           "awaiting": "Жооп күтүлүүдө. Мөөнөтү: {date}"},
    "ru": {"answered": "Ответ дан {date}", "overdue": "Нет ответа: просрочено с {date}",
           "awaiting": "Ожидает ответа до {date}"},
}


def test_statuses_by_hand(staff, make_comment):
    days = queries.constants()["answer_deadline_days"]
    fresh = make_comment("Жаңы пикир", days_ago=1)
    late = make_comment("Эски пикир", days_ago=days + 2)
    answered = make_comment("Жооп алган пикир", days_ago=days + 5)
    waiting = make_comment("Модерацияда", status="pending")
    services.answer_comments(staff, AK_BULUN, [answered.id], "ky", "Жооп")
    statuses = queries.comment_statuses([fresh.id, late.id, answered.id, waiting.id])
    assert set(statuses) == {fresh.id, late.id, answered.id}  # an unpublished comment has no status
    assert statuses[fresh.id].state == "awaiting"
    assert statuses[fresh.id].deadline == today() + dt.timedelta(days=days - 1)
    assert statuses[late.id].state == "overdue"
    assert statuses[late.id].deadline == today() - dt.timedelta(days=2)
    assert statuses[answered.id].state == "answered" and statuses[answered.id].answered_on == today()


def test_a_comment_becomes_overdue_the_moment_its_deadline_passes(make_comment):
    days = queries.constants()["answer_deadline_days"]
    comment = make_comment()
    published = comment.comment_moderated_at
    with time_machine.travel(published + dt.timedelta(days=days, minutes=-1), tick=False):
        assert queries.comment_statuses([comment.id])[comment.id].state == "awaiting"
    with time_machine.travel(published + dt.timedelta(days=days, minutes=1), tick=False):
        assert queries.comment_statuses([comment.id])[comment.id].state == "overdue"


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_the_public_page_shows_each_comments_status(app, client, staff, make_comment, lang):
    days = queries.constants()["answer_deadline_days"]
    fresh = make_comment("Жаңы пикир", days_ago=1)
    late = make_comment("Эски пикир", days_ago=days + 2)
    answered = make_comment("Жооп алган пикир", days_ago=3)
    services.answer_comments(staff, AK_BULUN, [answered.id], "ky", "Жооп")
    html = fresh_get(app, client, f"/{lang}/m/{AK_BULUN}/").get_data(as_text=True)
    text = visible_text(html)
    statuses = queries.comment_statuses([fresh.id, late.id, answered.id])

    def shown(state, status):
        date = status.answered_on if state == "answered" else status.deadline
        return STATUS[lang][state].format(date=_date(app, lang, date))

    # each status sits in the list item of its own comment
    items = {c.comment: visible_text(html.split(c.comment, 1)[1].split("</li>", 1)[0]) for c in (fresh, late, answered)}
    assert shown("awaiting", statuses[fresh.id]) in items[fresh.comment]
    assert shown("overdue", statuses[late.id]) in items[late.comment]
    assert shown("answered", statuses[answered.id]) in items[answered.comment]
    assert "Answer" not in text and "overdue" not in text  # no English on the page
    assert "<script" not in html.split('class="comments"', 1)[1].split("</ul>", 1)[0]


def test_the_staff_see_the_due_date_and_overdue_since(app, staff, sign_in, make_comment):
    days = queries.constants()["answer_deadline_days"]
    fresh = make_comment("Жаңы пикир", days_ago=1)
    late = make_comment("Эски пикир", days_ago=days + 2)
    client = sign_in(app.test_client(), staff)
    text = visible_text(fresh_get(app, client, "/ru/staff/answers/").get_data(as_text=True))
    statuses = queries.comment_statuses([fresh.id, late.id])
    assert STATUS["ru"]["awaiting"].format(date=_date(app, "ru", statuses[fresh.id].deadline)) in text
    assert STATUS["ru"]["overdue"].format(date=_date(app, "ru", statuses[late.id].deadline)) in text


def _date(app, lang, date):
    from flask_babel import force_locale, format_date

    with app.test_request_context(), force_locale(lang):
        return re.sub(r"\s+", " ", format_date(date))  # as visible_text shows it

"""The answers pages — staff answering, marking done, the action plan, the public page with an answer
and the resident's own section, the rating form, the kenesh report — have no English in ky or ru."""
import datetime as dt

import pytest
from sqlalchemy import select

from feedback.answers import services
from feedback.answers.models import Answer
from feedback.answers.services import today as local_today  # Kyrgyzstan's date, not the machine's
from tests.helpers import fresh_get, visible_text
from tests.scorecards.test_pages import ENGLISH_RE

from .conftest import AK_BULUN


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_no_english(app, client, session, staff, sign_in, make_comment, resident, as_device, lang):
    mine = make_comment("Суу жок", respondent=resident)
    late = make_comment("Жол начар", subject_code="LI-ROADS", days_ago=40)
    services.answer_comments(staff, AK_BULUN, [mine.id], lang, "Оңдойбуз", "Түтүк",
                             local_today() + dt.timedelta(days=5))
    staff_client = sign_in(app.test_client(), staff)
    answer = session.scalar(select(Answer))
    as_device(client, resident)
    pages = [(staff_client, f"/{lang}/staff/answers/"), (staff_client, f"/{lang}/staff/plan"),
             (staff_client, f"/{lang}/staff/answers/{answer.id}/done"), (staff_client, f"/{lang}/staff/"),
             (client, f"/{lang}/m/{AK_BULUN}/"), (client, f"/{lang}/m/{AK_BULUN}/rate/LI-WATER"),
             (client, f"/{lang}/m/{AK_BULUN}/report"), (client, f"/{lang}/methodology")]
    for who, url in pages:
        response = fresh_get(app, who, url)
        assert response.status_code == 200, url
        text = visible_text(response.get_data(as_text=True)).replace("JSON", "").replace("?methodology=N", "")
        found = sorted({m.group(0) for m in ENGLISH_RE.finditer(text)})
        assert found == [], f"English on {url}: {found}"
    staff_page = fresh_get(app, staff_client, f"/{lang}/staff/answers/").get_data(as_text=True)
    assert f'value="{late.id}"' in staff_page and 'class="badge overdue"' in staff_page  # waited 40 days

"""The pages of the workflow over HTTP, in both languages: what each person sees, bad input kept with
a message in the user's language, nothing half-written, CSRF, and no English on ky or ru pages."""
import re

import pytest
from sqlalchemy import select

from feedback.catalog.models import TransparencyItem
from feedback.territory.models import Municipality
from feedback.transparency import services
from feedback.transparency.models import TransparencyAssessment
from feedback.transparency.services import AnswersInput
from tests.conftest import csrf_token
from tests.helpers import fresh_get, visible_text
from tests.test_i18n_pages import ENGLISH_RE

from .conftest import M_FAR, M_X, YEAR, all_answers

# English words of this package's templates that must never reach a ky or ru page.
MORE_ENGLISH = re.compile(r"\b(Budget|transparency|monitor|review|reply|evidence|priorit\w*|Submit|Peer|"
                          r"Not applicable|Partly|Yes|No|Note|item|items|finding\w*)\b")


def english(text: str) -> list[str]:
    return sorted({m.group(0) for m in ENGLISH_RE.finditer(text)} | {m.group(0) for m in MORE_ENGLISH.finditer(text)})


def page(app, client, user, sign_in, url):
    sign_in(client, user)
    return fresh_get(app, client, url)


@pytest.fixture
def submitted(session, people):
    a = services.open_draft(people["monitor"], session.get(Municipality, M_X), YEAR)
    services.save_answers(people["monitor"], a, AnswersInput(all_answers(session, **{"BT-3-01": "no"})))
    services.submit(people["monitor"], a)
    session.flush()
    return a


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_every_page_of_the_workflow_in_both_languages(app, session, people, sign_in, submitted, lang):
    urls = [
        (people["monitor"], f"/{lang}/monitor/?period={YEAR}"),
        (people["monitor"], f"/{lang}/monitor/{M_X}/?period={YEAR}"),
        (people["reviewer"], f"/{lang}/monitor/{M_X}/?period={YEAR}"),
        (people["reviewer"], f"/{lang}/monitor/assessments/{submitted.id}/review"),
        (people["staff"], f"/{lang}/staff/transparency/{submitted.id}/"),
        (people["staff"], f"/{lang}/staff/"),
        (people["monitor"], f"/{lang}/monitor/41702205807000/?period={YEAR}"),  # not started: the empty form
    ]
    for user, url in urls:
        response = page(app, app.test_client(), user, sign_in, url)
        assert response.status_code == 200, url
        text = visible_text(response.get_data(as_text=True))
        assert english(text) == [], f"English on {url}: {english(text)}"
    staff_home = visible_text(page(app, app.test_client(), people["staff"], sign_in, f"/{lang}/staff/").get_data(as_text=True))
    hearings = session.get(TransparencyItem, "BT-3-01")
    assert hearings.name(lang) in staff_home  # the finding to act on


def test_monitor_out_of_scope_gets_404_and_home_is_the_monitor_page(app, people, sign_in):
    client = app.test_client()
    sign_in(client, people["monitor"])
    assert fresh_get(app, client, f"/ru/monitor/{M_FAR}/").status_code == 404
    assert fresh_get(app, client, f"/ru/monitor/{M_X}/").status_code == 200


def test_incomplete_submit_keeps_the_answers_and_says_why_in_kyrgyz(app, session, people, sign_in):
    client = sign_in(app.test_client(), people["monitor"])
    url = f"/ky/monitor/{M_X}/?period={YEAR}"
    token = csrf_token(fresh_get(app, client, url).get_data(as_text=True))
    with app.app_context():
        response = client.post(url, data={"csrf_token": token, "action": "submit", "item-BT-1-01": "yes",
                                          "note-BT-1-01": "Сайтта бар"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Жөнөтүүдөн мурун бардык пункттарга жооп бериңиз." in html and "Сайтта бар" in html
    assert session.scalar(select(TransparencyAssessment).where(TransparencyAssessment.municipality_code == M_X)) is None


def test_without_csrf_nothing_is_written(app, session, people, sign_in):
    client = sign_in(app.test_client(), people["monitor"])
    with app.app_context():
        response = client.post(f"/ru/monitor/{M_X}/?period={YEAR}", data={"action": "save", "item-BT-1-01": "yes"})
    assert response.status_code == 400
    assert session.scalar(select(TransparencyAssessment).where(TransparencyAssessment.municipality_code == M_X)) is None


def test_staff_reply_with_a_photo_and_an_empty_reply_is_refused(app, session, people, sign_in, submitted):
    import io

    client = sign_in(app.test_client(), people["staff"])
    url = f"/ru/staff/transparency/{submitted.id}/"
    token = csrf_token(fresh_get(app, client, url).get_data(as_text=True))
    with app.app_context():
        empty = client.post(url, data={"csrf_token": token})
    assert empty.status_code == 400 and "Напишите ответ хотя бы на один пункт." in empty.get_data(as_text=True)
    with app.app_context():
        sent = client.post(url, data={"csrf_token": token, "reply-BT-3-01": "Угуулар 5-мартта болот",
                                      "file-BT-3-01": (io.BytesIO(b"\xff\xd8\xff\xe0photo"), "стенд.jpg")},
                           content_type="multipart/form-data")
    assert sent.status_code == 303
    session.expire_all()
    a = session.get(TransparencyAssessment, submitted.id)
    assert [r.body for r in a.replies] == ["Угуулар 5-мартта болот"]
    assert [(e.party, e.filename) for e in a.evidence] == [("lsg", "стенд.jpg")]


def test_final_evidence_is_public_other_evidence_is_not(app, session, people, submitted):
    photo = services.add_evidence(people["staff"], submitted, "BT-3-01", party="lsg", filename="a.png",
                                  data=b"\x89PNG\r\n\x1a\n0")
    session.flush()
    client = app.test_client()
    assert "/login" in fresh_get(app, client, f"/transparency/evidence/{photo.id}").headers.get("Location", "")
    submitted.status = "final"
    session.flush()
    response = fresh_get(app, client, f"/transparency/evidence/{photo.id}")
    assert response.status_code == 200 and response.headers["X-Content-Type-Options"] == "nosniff"

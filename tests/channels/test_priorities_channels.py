"""Residents' budget priorities by SMS and on paper: the keyword syntax in both alphabets, the HELP
reply in Kyrgyz and Russian, one respondent per phone across SMS and the web, idempotent by gateway
id and by questionnaire number, the same rules (once per period, anti-abuse) as the web form."""
import pytest
from sqlalchemy import select

from feedback.channels.models import PaperForm
from feedback.channels.parsing import parse
from feedback.db import db
from feedback.ratings.models import Respondent
from feedback.ratings.phone import phone_hash
from feedback.transparency.models import BudgetPriority
from tests.channels.test_assisted import URL as PAPER_URL
from tests.channels.test_assisted import monitor  # noqa: F401 (fixture)
from tests.channels.test_sms import PHONE, code_of, gateway, subject_of  # noqa: F401 (fixture)
from tests.conftest import csrf_token
from tests.ratings.test_phone import Browser
from tests.ratings.test_views import AK_BULUN, KARAKOL, Resident


def priorities(**where):
    db.session.expire_all()
    query = select(BudgetPriority).order_by(BudgetPriority.id)
    for key, value in where.items():
        query = query.where(getattr(BudgetPriority, key) == value)
    return list(db.session.scalars(query))


@pytest.mark.parametrize("text", [
    "БЮДЖЕТ AB12 C E H", "бюджет ав12 с, е, н", "Budget ab-12 c e h", "BYUDZHET AB12 C.E.H", "бюжет AB12 C E H",
])
def test_the_keyword_and_codes_are_read_in_either_alphabet(text):
    parsed = parse(text)
    assert (parsed.kind, parsed.municipality, parsed.issues) == ("priorities", "AB12", ["C", "E", "H"])


@pytest.mark.parametrize("text", ["БЮДЖЕТ", "БЮДЖЕТ AB12", "BUDGET AB12 C 4", "бюджет 12 C"])
def test_a_keyword_with_no_readable_codes_is_explained(text):
    assert parse(text).kind == "priorities_format"


def test_an_sms_names_priorities_and_a_second_one_replaces_them(gateway):  # noqa: F811
    code, water, roads, light = code_of(AK_BULUN), subject_of("LI-WATER"), subject_of("LI-ROADS"), subject_of("LI-LIGHT")
    response = gateway.sms(f"бюджет {code.lower()} {water} {roads}")
    assert response.status_code == 200 and response.get_json()["outcome"] == "priorities"
    [row] = priorities()
    assert (row.codes, row.source, row.status, row.municipality_code) == (["LI-WATER", "LI-ROADS"], "sms", "accepted",
                                                                          AK_BULUN)
    assert db.session.get(Respondent, row.respondent_id).phone_hash == phone_hash(PHONE)
    reply = gateway.replies[-1]  # an aiyl aimak: answered in Kyrgyz, the issues named in Kyrgyz
    assert reply.startswith("Рахмат!") and "Ичүүчү суу" in reply and "артыкчылыктарыңыз" in reply
    again = gateway.sms(f"BUDGET {code} {light}")
    assert again.get_json()["outcome"] == "priorities_replaced"
    [row] = priorities()
    assert row.codes == ["LI-LIGHT"] and row.replacements == 1
    # The same message resent by the gateway changes nothing and gets no second reply.
    replies = len(gateway.replies)
    for _ in range(2):
        resent = gateway.sms(f"BUDGET {code} {water}", message_id="gw-budget-1")
    assert resent.get_json()["status"] == "duplicate" and len(gateway.replies) == replies + 1
    assert [r.codes for r in priorities()] == [["LI-WATER"]]
    # Another phone is another resident; a city is answered in Russian.
    gateway.sms(f"БЮДЖЕТ {code_of(KARAKOL)} {water}", phone="+996700111222")
    assert gateway.replies[-1].startswith("Спасибо!") and "Питьевая вода" in gateway.replies[-1]
    assert len(priorities()) == 2


def test_one_phone_one_choice_across_the_web_and_sms(gateway, app):  # noqa: F811
    browser = Browser(app)
    assert browser.verify("ru", "0555 12 34 56", gateway.sent).status_code == 302
    web = Resident(app)
    web.client = browser.client
    page = web.get(f"/ru/m/{AK_BULUN}/budget")
    from tests.ratings.test_views import started

    sent = web.post(f"/ru/m/{AK_BULUN}/budget", data={"csrf_token": csrf_token(page.text), "started": started(page.text),
                                                     "first": "LI-ROADS"})
    assert sent.status_code == 303
    [row] = priorities()
    assert row.source == "web"
    response = gateway.sms(f"БЮДЖЕТ {code_of(AK_BULUN)} {subject_of('LI-WATER')}")
    assert response.get_json()["outcome"] == "priorities_replaced"
    [row] = priorities()
    assert (row.codes, row.source, row.replacements) == (["LI-WATER"], "sms", 1)


def test_mistakes_are_explained_and_store_nothing(gateway):  # noqa: F811
    code = code_of(AK_BULUN)
    water, roads, light, waste = (subject_of(c) for c in ("LI-WATER", "LI-ROADS", "LI-LIGHT", "LI-WASTE"))
    cases = [
        (f"БЮДЖЕТ {code} {water} {roads} {light} {waste}", "priorities_too_many", "Үчтөн ашык эмес"),
        (f"БЮДЖЕТ {code} {water} {water}", "priorities_duplicate", "бир гана жолу"),
        (f"БЮДЖЕТ {code} XX", "unknown_subject", f"БЮДЖЕТ {code} "),
        ("БЮДЖЕТ", "priorities_format", "БЮДЖЕТ AB12 C E H"),
    ]
    for text, outcome, expected in cases:
        response = gateway.sms(text)
        assert response.get_json()["outcome"] == outcome, text
        assert expected in gateway.replies[-1], gateway.replies[-1]
    assert priorities() == []


@pytest.mark.parametrize(("text", "expected"), [
    ("ЖАРДАМ", ["Кийинки жылдын жергиликтүү бюджети", "БЮДЖЕТ AB12 C E H"]),
    ("помощь", ["Чтобы сказать, что местный бюджет следующего года", "БЮДЖЕТ AB12 C E H"]),
])
def test_help_explains_the_priorities_in_both_languages(gateway, text, expected):  # noqa: F811
    assert gateway.sms(text).get_json()["outcome"] == "help"
    assert all(part in gateway.replies[-1] for part in expected), gateway.replies[-1]


# --- paper ------------------------------------------------------------------------------------------

def enter(client, number, priorities_=(), **scores):
    page = client.get(PAPER_URL)
    assert page.status_code == 200, page.text
    data = {"csrf_token": csrf_token(page.text), "number": number, "sex": "", "age_band": ""}
    data.update({f"score-{code.replace('_', '-')}": value for code, value in scores.items()})
    data.update({f"priority-{i}": code for i, code in enumerate(priorities_, start=1)})
    return client.post(PAPER_URL, data=data)


def test_a_paper_questionnaire_records_priorities_once(monitor):  # noqa: F811
    page = monitor.get(PAPER_URL).text
    assert 'name="priority-1"' in page and "Бюджетные приоритеты" in page
    response = enter(monitor, "0051", ["LI-ROADS", "LI-WATER"], LI_WATER="3")
    assert response.status_code == 303
    [row] = priorities()
    [paper] = db.session.scalars(select(PaperForm))
    assert (row.codes, row.source, row.respondent_id, row.status) == (["LI-ROADS", "LI-WATER"], "assisted",
                                                                      paper.respondent_id, "accepted")
    # Only priorities on a questionnaire are enough; the number is entered once.
    assert enter(monitor, "52", ["LI-LIGHT"]).status_code == 303
    again = enter(monitor, "051", ["LI-WASTE"])
    assert again.status_code == 400 and "Анкета 51 уже введена." in again.text
    bad = enter(monitor, "53", ["LI-WATER", "LI-WATER"])
    assert bad.status_code == 400 and "Выберите каждый вопрос только один раз." in bad.text
    assert [r.codes for r in priorities()] == [["LI-ROADS", "LI-WATER"], ["LI-LIGHT"]]
    assert db.session.scalars(select(PaperForm.number).order_by(PaperForm.id)).all() == ["51", "52"]


def test_the_printed_questionnaire_asks_for_priorities(monitor):  # noqa: F811
    ru = monitor.get(f"/ru/m/{AK_BULUN}/paper/print?count=1").text
    assert "Какие местные вопросы бюджет" in ru
    ky = monitor.get(f"/ky/m/{AK_BULUN}/paper/print?count=1").text
    assert "биринчи кезекте кайсы жергиликтүү маселелерди" in ky


def test_the_poster_shows_how_to_send_priorities(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "SMS_NUMBER", "1414")
    page = client.get(f"/ru/m/{AK_BULUN}/poster").text
    example = f"БЮДЖЕТ {code_of(AK_BULUN)} "
    assert example in page and "Чтобы сказать, что местный бюджет" in page and "Кийинки жылдын жергиликтүү бюджети" in page
    assert "Чтобы сказать, что местный бюджет" not in client.get(f"/ru/m/{AK_BULUN}/poster/LI-ROADS").text

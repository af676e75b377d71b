"""The scorecard's channel switch (?channel=): paper (assisted) ratings, or any one channel, shown
apart with their own numbers, on the page (ky/ru, without JavaScript) and in the JSON; the default
scorecard (all channels) does not change."""
import re

import pytest

from feedback.scorecards import methodology as mth
from tests.channels.test_numbers import _rate
from tests.scorecards.helpers import AK_BULUN

URL = f"/api/v1/municipalities/{AK_BULUN}/scorecard"


@pytest.fixture
def mixed(app, monkeypatch):
    """12 paper ratings of water (3s and 4s), 11 web ratings of water (5s), 2 SMS ratings of roads."""
    monkeypatch.setitem(app.config, "ABUSE_BURST_PER_DEVICE", 10_000)
    for overall in [3] * 6 + [4] * 6:
        _rate("assisted", overall)
    for _ in range(11):
        _rate("web", 5)
    _rate("sms", 2, "LI-ROADS")
    _rate("sms", 1, "LI-ROADS")
    _rate("assisted", 1, "LI-ROADS", quarantine=True)


def subjects(card):
    return {s["code"]: s for s in card["citizen"]["subjects"] if s["n"]}


@pytest.mark.parametrize("value", ["paper", "assisted", "PAPER"])
def test_paper_only_json_has_the_numbers_of_paper_ratings(client, mixed, value):
    card = client.get(f"{URL}?channel={value}").get_json()
    assert card["channel"] == "assisted"
    c = card["citizen"]
    assert c["n"] == 12 and c["mean"] == 3.5 and c["distribution"] == [0, 0, 6, 6, 0]
    assert set(subjects(card)) == {"LI-WATER"}
    water = subjects(card)["LI-WATER"]
    assert water["n"] == 12 and water["mean"] == 3.5 and water["distribution"] == [0, 0, 6, 6, 0]
    assert water["published"] and water["index"] == 62.5  # (3.5 − 1) / 4 × 100, its own ratings only
    assert c["n_quarantined"] == 1  # the quarantined paper rating of roads, counted apart
    assert c["criteria"] == [] and card["position"] is None  # not kept per channel; no peers for one channel


def test_each_channel_alone_and_the_channels_add_up(client, mixed):
    whole = client.get(URL).get_json()
    assert "channel" not in whole  # the default card is the card it always was
    assert whole["citizen"]["n"] == 25 and whole["citizen"]["distribution"] == [1, 1, 6, 6, 11]
    cards = {ch: client.get(f"{URL}?channel={ch}").get_json() for ch in ("web", "offline_web", "sms", "paper")}
    assert {ch: card["citizen"]["n"] for ch, card in cards.items()} == {"web": 11, "offline_web": 0, "sms": 2, "paper": 12}
    assert cards["web"]["citizen"]["mean"] == 5.0 and cards["sms"]["citizen"]["mean"] == 1.5
    assert set(subjects(cards["sms"])) == {"LI-ROADS"}
    summed = [sum(card["citizen"]["distribution"][k] for card in cards.values()) for k in range(5)]
    assert summed == whole["citizen"]["distribution"]
    assert client.get(f"{URL}?channel=").get_json() == whole


def test_an_unknown_channel_is_refused_by_the_api(client, mixed):
    response = client.get(f"{URL}?channel=pigeon")
    assert response.status_code == 400 and response.get_json()["error"]["field"] == "channel"


def test_paper_only_under_methodology_version_1(client, mixed):
    if 1 not in [v.version for v in mth.versions()]:
        mth.publish(dict(mth.validate({})), notes="v1 for the test")
    card = client.get(f"{URL}?channel=paper&methodology=1").get_json()
    assert card["methodology_version"] == 1 and card["channel"] == "assisted"
    assert card["citizen"]["n"] == 12 and subjects(card)["LI-WATER"]["distribution"] == [0, 0, 6, 6, 0]
    assert client.get(f"{URL}?methodology=1").get_json()["citizen"]["n"] == 25


@pytest.mark.parametrize("lang,label,note,counted,all_link", [
    ("ky", "Кагаз анкеталар", "Бул жерде ушул каналдан келген баалар гана эсептелет: Кагаз анкеталар.",
     "12 кабыл алынган баа", "Бардык каналдардын бааларын көрсөтүү"),
    ("ru", "Бумажные анкеты", "Здесь учитываются только оценки, пришедшие по этому каналу: Бумажные анкеты.",
     "12 принятых оценок", "Показать оценки всех каналов"),
])
def test_paper_only_page_is_labelled_in_each_language_and_works_without_javascript(client, mixed, lang, label, note,
                                                                                  counted, all_link):
    page = client.get(f"/{lang}/m/{AK_BULUN}/?channel=paper").get_data(as_text=True)
    assert note in page and all_link in page
    assert re.search(r"<h3>[^<]*: " + label + "</h3>", page)
    assert counted in page, re.findall(r'<p class="counts">[^<]*', page)
    # The switch is a plain GET form and links: no script needed.
    form = re.search(r'<form class="sc-filter noprint" method="get" action="">(.*?)</form>', page, re.S).group(1)
    assert '<select id="sc-channel" name="channel">' in form and '<option value="assisted" selected>' in form
    assert f'href="/{lang}/m/{AK_BULUN}/?channel=web#sc-title"' in page  # another channel, one tap
    assert f'href="/{lang}/m/{AK_BULUN}/"' in page or f'href="/{lang}/m/{AK_BULUN}/#sc-title"' in page
    assert f"/api/v1/municipalities/{AK_BULUN}/scorecard?period=" in page and "channel=assisted" in page
    assert {"ky": "Бир каналдын баалары боюнча орун аныкталбайт", "ru": "По оценкам одного канала место не определяется"}[lang] in page
    default = client.get(f"/{lang}/m/{AK_BULUN}/").get_data(as_text=True)
    assert note not in default and '<option value="" selected>' not in default
    assert f'href="/{lang}/m/{AK_BULUN}/?channel=assisted#sc-title"' in default


@pytest.mark.parametrize("lang,text", [("ky", "тандоосу бир каналдын бааларын өзүнчө көрсөтөт"),
                                       ("ru", "показывает оценки одного канала отдельно")])
def test_the_methodology_says_how_one_channel_alone_is_computed(client, lang, text):
    assert text in client.get(f"/{lang}/methodology").get_data(as_text=True)


def test_the_kenesh_report_of_one_channel_says_so(client, mixed):
    report = client.get(f"/ru/m/{AK_BULUN}/report?channel=paper")
    assert report.status_code == 200
    text = report.get_data(as_text=True)
    assert "Здесь учитываются только оценки, пришедшие по этому каналу: Бумажные анкеты." in text
    assert "12 принятых оценок" in text
    assert "пришедшие по этому каналу" not in client.get(f"/ru/m/{AK_BULUN}/report").get_data(as_text=True)


def test_one_channels_address_rule_counts_that_channels_addresses(app, client, monkeypatch):
    """Under version 2 a subject needs ratings from enough distinct addresses; in one channel's view
    they are that channel's addresses: 12 web ratings from one address publish nothing for web, even
    though the municipality's paper ratings (each an address of its own) would make up the count."""
    from feedback.ratings.services import current_period
    from tests.scorecards.helpers import rate, respondent

    for key in ("ABUSE_BURST_PER_DEVICE", "ABUSE_BURST_PER_ADDRESS", "ABUSE_NEW_RESPONDENTS_PER_ADDRESS"):
        monkeypatch.setitem(app.config, key, 10_000)
    for _ in range(12):
        rate(respondent(), AK_BULUN, "LI-WATER", 5, current_period(), channel="web", address="a" * 64)
    for overall in [3] * 6 + [4] * 6:
        _rate("assisted", overall)
    web = subjects(client.get(f"{URL}?channel=web").get_json())["LI-WATER"]
    paper = subjects(client.get(f"{URL}?channel=paper").get_json())["LI-WATER"]
    assert web["n"] == 12 and not web["published"]  # one address
    assert paper["n"] == 12 and paper["published"]

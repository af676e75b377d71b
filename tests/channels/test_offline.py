"""Offline-first web, server side: the service worker and manifest are served so that the browser
accepts them under the CSP, each municipality lists the pages its visitors keep, and ratings from
the offline queue are labelled offline_web."""
import re

import pytest

from feedback.ratings.services import current_period
from tests.api.test_ratings import assert_error, payload
from tests.ratings.test_views import AK_BULUN, Resident, ratings


@pytest.fixture
def resident(app):
    return Resident(app)


def test_service_worker_is_served_from_the_root_and_never_cached_long(resident):
    response = resident.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    assert response.headers["Service-Worker-Allowed"] == "/"
    body = response.get_data(as_text=True)
    # The queue script by its content-hashed URL: a new queue.js is a new worker, installed at once.
    assert re.search(r'importScripts\("/static/js/queue\.js(\?v=[0-9a-f]+)?"\)', body), body[:300]
    assert '"/api/v1/ratings"' in body


def test_every_page_links_the_manifest_and_the_queue_line(resident):
    page = resident.get(f"/ky/m/{AK_BULUN}/").get_data(as_text=True)
    assert '<link rel="manifest" href="/ky/manifest.webmanifest">' in page
    assert 'data-sw="/sw.js"' in page and "<script>" not in page  # no inline script (CSP)
    assert "Ушул телефондо сакталып, жөнөтүлүүнү күткөн баалар:" in page


@pytest.mark.parametrize("lang,name", [("ky", "Жергиликтүү үн"), ("ru", "Местный голос")])
def test_manifest_in_each_language(resident, lang, name):
    response = resident.get(f"/{lang}/manifest.webmanifest")
    assert response.status_code == 200
    assert response.mimetype == "application/manifest+json"
    body = response.get_json()
    assert body["start_url"] == f"/{lang}/" and body["lang"] == lang
    assert body["name"] == name


def test_offline_list_has_the_page_and_every_form_of_the_municipality(resident):
    urls = resident.get(f"/ru/m/{AK_BULUN}/offline.json").get_json()["urls"]
    assert urls[:2] == [f"/ru/m/{AK_BULUN}/", f"/ru/m/{AK_BULUN}/rate"]
    assert f"/ru/m/{AK_BULUN}/rate/LI-WATER" in urls
    assert not any("DP-" in url for url in urls)  # delegated powers are not rated by residents
    assert resident.get("/ru/m/00000000000000/offline.json").status_code == 404
    assert resident.get(f"/xx/m/{AK_BULUN}/offline.json").status_code == 404


def test_queued_rating_is_labelled_offline_web_and_stored_once(resident, app, monkeypatch):
    monkeypatch.setitem(app.config, "ABUSE_MIN_FILL_SECONDS", 0)
    body = payload(client_id="queued-00000001", channel="offline_web")
    assert resident.api(body).status_code == 201
    assert resident.api(body).status_code == 200
    [rating] = ratings()
    assert rating.channel == "offline_web" and rating.period == current_period()


def test_web_is_the_default_channel_and_others_are_refused(resident):
    assert resident.api(payload()).status_code == 201
    assert ratings()[0].channel == "web"
    assert_error(resident.api(payload(channel="sms")), 400, "invalid_choice", "channel")
    assert_error(resident.api(payload(channel="assisted")), 400, "invalid_choice", "channel")

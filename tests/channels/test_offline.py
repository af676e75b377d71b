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
    assert re.search(r'<link rel="manifest" href="/ky/manifest\.webmanifest\?v=[0-9a-f]{12}">', page), page[:800]
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


def test_the_offline_list_is_kept_and_follows_the_catalog(resident, session):
    from feedback.catalog.models import Subject

    url, form = f"/ru/m/{AK_BULUN}/offline.json", f"/ru/m/{AK_BULUN}/rate/LI-WATER"
    assert form in resident.get(url).get_json()["urls"]
    assert form in resident.get(url).get_json()["urls"]  # kept
    session.get(Subject, "LI-WATER").retired = True
    session.flush()
    assert form not in resident.get(url).get_json()["urls"]


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


# --- installability: PNG icons (192 and 512, maskable too) and a long cache -----------------------------

def _png(data: bytes):
    """(width, height, rows of RGBA tuples) of an 8-bit RGBA PNG as scripts/make_icons.py writes it."""
    import struct
    import zlib

    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height, depth, colour = struct.unpack(">IIBB", data[16:26])
    assert (depth, colour) == (8, 6)
    raw, pos = b"", 8
    while pos < len(data):
        (length,), kind = struct.unpack(">I", data[pos:pos + 4]), data[pos + 4:pos + 8]
        if kind == b"IDAT":
            raw += data[pos + 8:pos + 8 + length]
        pos += 12 + length
    pixels = zlib.decompress(raw)
    stride = 1 + 4 * width
    rows = [[tuple(pixels[y * stride + 1 + 4 * x:y * stride + 5 + 4 * x]) for x in range(width)] for y in range(height)]
    return width, height, rows


def test_manifest_lists_png_icons_of_192_and_512_any_and_maskable_served_for_a_year(resident):
    page = resident.get(f"/ru/m/{AK_BULUN}/").get_data(as_text=True)
    href = re.search(r'<link rel="manifest" href="([^"]+)">', page).group(1)
    response = resident.get(href)
    assert response.status_code == 200 and response.mimetype == "application/manifest+json"
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    body = response.get_json()
    assert {"name", "short_name", "start_url", "display", "icons"} <= set(body) and body["display"] == "standalone"
    pngs = {(i["sizes"], i["purpose"]): i["src"] for i in body["icons"] if i["type"] == "image/png"}
    assert set(pngs) == {("192x192", "any"), ("512x512", "any"), ("192x192", "maskable"), ("512x512", "maskable")}
    for (sizes, purpose), src in pngs.items():
        icon = resident.get(src)
        assert icon.status_code == 200 and icon.mimetype == "image/png"
        assert icon.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        width, height, rows = _png(icon.data)
        assert f"{width}x{height}" == sizes
        middle = rows[height // 2][width // 2]
        assert middle == (255, 255, 255, 255)  # the white bubble
        corner = rows[0][0]
        # A maskable icon fills the whole square (the platform cuts its own shape); "any" is rounded.
        assert corner == ((0x0B, 0x53, 0x94, 255) if purpose == "maskable" else (0, 0, 0, 0))
        if purpose == "maskable":  # nothing but background outside the safe circle (radius 0.4 × size)
            r = 0.4 * width
            outside = [rows[y][x] for y in range(height) for x in range(width)
                       if (x + 0.5 - width / 2) ** 2 + (y + 0.5 - height / 2) ** 2 > r * r]
            assert set(outside) == {(0x0B, 0x53, 0x94, 255)}


def test_an_old_or_missing_manifest_version_is_cached_a_day_only(resident):
    for url in ("/ky/manifest.webmanifest", "/ky/manifest.webmanifest?v=000000000000"):
        assert resident.get(url).headers["Cache-Control"] == "public, max-age=86400"


def test_committed_icons_are_what_the_script_draws():
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "scripts" / "make_icons.py"
    spec = importlib.util.spec_from_file_location("make_icons", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for maskable in (False, True):  # the 192 px ones (the 512 px ones take the script ~20 s)
        assert (module.STATIC / module.name(192, maskable)).read_bytes() == module.png(192, maskable)

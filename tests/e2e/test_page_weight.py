"""The rating form is light enough for 3G: everything it loads (HTML, CSS, JS) comes from this site,
weighs under 30 KB compressed in total, and static files may be cached.

The werkzeug development server does not compress, so each body is gzip-compressed here (level 6,
what nginx and most proxies use) to estimate the bytes on the wire. Headers are not counted.
Run with -s to see the figures; they are also recorded as junit properties.
"""
import gzip
import re
from urllib.parse import urlsplit

import pytest

from .test_find_municipality import AK_BULUN

BUDGET = 30 * 1024  # bytes, compressed
STATIC_TYPES = ("stylesheet", "script", "font", "image")


def load_and_record(page, url):
    """Every request the page makes (even ones that fail: an unreachable CDN gives no response)
    and every response it gets."""
    requests, responses = [], []
    page.on("request", lambda request: requests.append(request))
    page.on("response", lambda response: responses.append(response))
    page.goto(url, wait_until="networkidle")
    return requests, responses


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_rating_form_weight(live_server, phone, lang, record_property):
    path = f"/{lang}/m/{AK_BULUN}/rate/LI-WATER"
    requests, responses = load_and_record(phone, live_server + path)
    origin = urlsplit(live_server)

    foreign = [r.url for r in requests if urlsplit(r.url)[:2] != origin[:2]]
    assert not foreign, f"{path} loads from elsewhere (fonts, CDNs, trackers?): {foreign}"
    assert len(responses) == len(requests), [r.url for r in requests]
    assert all(r.status == 200 for r in responses), [(r.url, r.status) for r in responses]
    kinds = {r.request.resource_type for r in responses}
    assert "document" in kinds and "stylesheet" in kinds, kinds

    rows, raw_total, gzip_total = [], 0, 0
    for response in responses:
        body = response.body()
        packed = len(gzip.compress(body, 6))
        raw_total, gzip_total = raw_total + len(body), gzip_total + packed
        rows.append((urlsplit(response.url).path, response.request.resource_type, len(body), packed))
    report = "\n".join([f"rating form {lang}: {path}"]
                       + [f"  {p:<45} {kind:<10} {raw:>7} B raw {packed:>7} B gzip" for p, kind, raw, packed in rows]
                       + [f"  {'total':<56} {raw_total:>7} B raw {gzip_total:>7} B gzip (budget {BUDGET} B)"])
    print("\n" + report)
    record_property(f"weight_{lang}", report)
    assert gzip_total < BUDGET, report


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_static_files_may_be_cached(live_server, phone, lang):
    _, responses = load_and_record(phone, f"{live_server}/{lang}/m/{AK_BULUN}/rate/LI-WATER")
    static = [r for r in responses if r.request.resource_type in STATIC_TYPES]
    assert {r.request.resource_type for r in static} >= {"stylesheet", "script"}, [r.url for r in responses]
    for response in static:
        assert urlsplit(response.url).path.startswith("/static/"), response.url
        cache = response.headers.get("cache-control", "")
        max_age = re.search(r"(?:^|[,\s])max-age=(\d+)", cache)
        assert max_age and int(max_age.group(1)) > 0, f"{response.url}: Cache-Control {cache!r}"
        assert "no-store" not in cache and "no-cache" not in cache, f"{response.url}: Cache-Control {cache!r}"


def test_no_third_party_sources_allowed(live_server, phone):
    """The page itself forbids other origins, so a later template change cannot quietly add a CDN."""
    response = phone.goto(f"{live_server}/ky/m/{AK_BULUN}/rate/LI-WATER")
    policy = response.headers.get("content-security-policy", "")
    directives = {d.split()[0]: d.split()[1:] for d in policy.split(";") if d.strip()}
    assert directives.get("default-src") == ["'self'"], policy
    for name in ("script-src", "style-src", "font-src", "connect-src"):
        assert directives.get(name, ["'self'"]) == ["'self'"], policy

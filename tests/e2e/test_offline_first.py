"""Offline-first web: a resident visits a municipality once online; later, with no connection, the
service worker opens its page and rating form, the rating waits in IndexedDB (also across closing
the page), and it is stored exactly once, labelled offline_web, when the connection returns."""
import json

from playwright.sync_api import expect

from .conftest import screenshot

CHELPEK = "41702205850000"  # not Ak-Bulun: the other journeys count Ak-Bulun's ratings
SUBJECT = "LI-ROADS"
SAVED = "Интернет жок. Бааңыз ушул телефондо сакталды жана интернет пайда болгондо жөнөтүлөт."
WAITING = "Ушул телефондо сакталып, жөнөтүлүүнү күткөн баалар:"


def eventually(page, script, seconds=10):
    """Poll an async script until it is true (wait_for_function does not await a promise)."""
    for _ in range(int(seconds * 10)):
        if page.evaluate(script):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"never true: {script}")


def kept(path):
    return f"async () => !!(await caches.match({json.dumps(path)}))"


def test_offline_visit_rating_sent_once_when_back_online(live_server, phone):
    page, context = phone, phone.context
    home, form = f"/ky/m/{CHELPEK}/", f"/ky/m/{CHELPEK}/rate/{SUBJECT}"
    posts = []
    context.on("request", lambda r: posts.append(r.post_data_json) if r.method == "POST" and r.url.endswith("/api/v1/ratings") else None)

    page.goto(live_server + home)
    eventually(page, "async () => !!(await navigator.serviceWorker.ready).active")
    # The worker keeps the municipality's page and the rating form of each of its subjects.
    eventually(page, kept(home))
    eventually(page, kept(form))

    context.set_offline(True)
    response = page.reload()
    assert response.from_service_worker, "the page did not come from the service worker"
    page.goto(live_server + form)
    expect(page.locator("h1")).to_be_visible()
    page.locator('fieldset.scale label.choice:has(input[value="2"])').tap()
    page.locator("form.rate button[type=submit]").tap()
    expect(page.locator('main p.note[role="status"]')).to_have_text(SAVED)
    expect(page.locator("main p.queue")).to_contain_text(WAITING)
    expect(page.locator("main p.queue [data-queue-count]")).to_have_text("1")
    screenshot(page, "offline-saved-ky")
    assert posts == []

    # Closed and opened again, still offline: the rating is still waiting, and says so.
    page.close()
    page = context.new_page()
    assert page.goto(live_server + home).from_service_worker
    expect(page.locator("main p.queue [data-queue-count]")).to_have_text("1")

    context.set_offline(False)
    eventually(page, "async () => (await LocalVoiceQueue.count()) === 0")
    expect(page.locator("main p.queue")).to_have_text("Сакталган баалар жөнөтүлдү.")
    page.reload()
    expect(page.locator("main p.queue")).to_be_hidden()

    stored = [p for p in posts if p["subject"] == SUBJECT]
    assert stored and {p["client_id"] for p in stored} == {stored[0]["client_id"]}
    assert stored[0]["channel"] == "offline_web"
    scorecard = page.request.get(f"{live_server}/api/v1/municipalities/{CHELPEK}/scorecard").json()
    roads = [s for s in scorecard["citizen"]["subjects"] if s["code"] == SUBJECT]
    assert roads and roads[0]["n"] == 1 and roads[0]["mean"] == 2, roads


def test_sent_is_said_whoever_sent_it_and_in_whatever_order(live_server, phone):
    """The page and the worker both flush when the connection returns; the second finds the queue
    empty. Whichever answers last, a resident who saw "1 waiting" sees that it was sent."""
    page, context = phone, phone.context
    form = f"/ky/m/{CHELPEK}/rate/{SUBJECT}"
    page.goto(live_server + form)
    eventually(page, "async () => !!(await navigator.serviceWorker.ready).active")
    context.set_offline(True)
    page.locator('fieldset.scale label.choice:has(input[value="4"])').tap()
    page.locator("form.rate button[type=submit]").tap()
    expect(page.locator("main p.queue [data-queue-count]")).to_have_text("1")

    # Someone else (the worker) sent it; the page hears "nothing sent" first, then "one sent".
    page.evaluate("""async () => {
        for (const item of await LocalVoiceQueue.all()) await LocalVoiceQueue.remove(item.client_id);
        const say = (sent) => navigator.serviceWorker.dispatchEvent(new MessageEvent("message", {data: {type: "queue", sent}}));
        say(0); await new Promise((r) => setTimeout(r, 200)); say(1);
    }""")
    expect(page.locator("main p.queue")).to_be_visible()
    expect(page.locator("main p.queue")).to_have_text("Сакталган баалар жөнөтүлдү.")


def test_an_update_of_the_worker_keeps_the_queue_and_the_pages(live_server, phone, monkeypatch):
    """ODK/Kobo users lose queued forms when a service worker updates: here the queue is in IndexedDB,
    and an update deletes only the old assets. A queue left by the older localStorage version moves in."""
    import feedback.api.views as api_views
    from feedback.channels import offline_views

    page = phone
    home, form = f"/ru/m/{CHELPEK}/", f"/ru/m/{CHELPEK}/rate/LI-LIGHT"
    page.goto(live_server + home)
    eventually(page, "async () => !!(await navigator.serviceWorker.ready).active")
    eventually(page, kept(form))
    old_caches = page.evaluate("caches.keys()")

    # The server cannot store ratings for a while (a 500): what is queued stays queued.
    def broken(*args, **kwargs):
        raise RuntimeError("database down")

    monkeypatch.setattr(api_views, "submit_rating", broken)
    item = {"municipality": CHELPEK, "subject": "LI-LIGHT", "overall": 3, "criteria": {}, "client_id": "legacy-queue-0001"}
    page.evaluate(f"localStorage.setItem('rating-queue', JSON.stringify([{json.dumps(item)}]))")
    page.reload()
    eventually(page, "async () => (await LocalVoiceQueue.count()) === 1 && !localStorage.getItem('rating-queue')")
    expect(page.locator("main p.queue [data-queue-count]")).to_have_text("1")

    # A new version of the site: the browser installs the new worker, which takes over at once.
    monkeypatch.setattr(offline_views, "_assets_version", lambda: "next-version")
    page.evaluate("navigator.serviceWorker.getRegistration().then(r => r.update())")
    eventually(page, "async () => (await caches.keys()).includes('assets-next-version')")
    eventually(page, f"async () => !(await caches.keys()).includes({json.dumps([c for c in old_caches if c.startswith('assets-')][0])})")
    assert page.evaluate("LocalVoiceQueue.count()") == 1
    assert page.evaluate(kept(form)) and page.evaluate(kept(home))

    monkeypatch.undo()
    page.reload()
    eventually(page, "async () => (await LocalVoiceQueue.count()) === 0")
    scorecard = page.request.get(f"{live_server}/api/v1/municipalities/{CHELPEK}/scorecard").json()
    assert scorecard["channels"]["offline_web"]["n"] >= 1
    light = [s for s in scorecard["citizen"]["subjects"] if s["code"] == "LI-LIGHT"]
    assert light and light[0]["n"] == 1 and light[0]["mean"] == 3


def test_only_the_latest_municipalities_are_kept(live_server, phone):
    page = phone
    page.goto(f"{live_server}/ky/m/{CHELPEK}/")
    eventually(page, "async () => !!(await navigator.serviceWorker.ready).active")
    eventually(page, kept(f"/ky/m/{CHELPEK}/rate"))
    # Eight more municipalities later (their index only: the test need not wait for their forms).
    codes = page.request.get(f"{live_server}/api/v1/municipalities?region=41703000000000&kind=aiyl_aimak").json()["items"][:8]
    script = """async (paths) => { const cache = await caches.open('pages-v1');
        const found = await cache.match('/__kept-municipalities'); const list = found ? await found.json() : [];
        await cache.put('/__kept-municipalities', new Response(JSON.stringify(paths.concat(list)))); }"""
    page.evaluate(script, [f"/ky/m/{m['code']}/" for m in codes[:7]])
    page.goto(f"{live_server}/ky/m/{codes[7]['code']}/")
    eventually(page, kept(f"/ky/m/{codes[7]['code']}/"))
    eventually(page, f"async () => !(await caches.match('/ky/m/{CHELPEK}/rate'))")
    assert not page.evaluate(kept(f"/ky/m/{CHELPEK}/"))

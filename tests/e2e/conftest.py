"""Browser tests: Playwright (sync API) driving Debian's chromium against a live server.

The live server has its own SQLite database in a temporary folder, whatever TEST_DATABASE_URL
says: browser journeys are not database-specific, and a server answering from other threads must
not share the transactional test database of the unit tests. The root conftest's autouse
`_transaction` fixture does nothing for tests carrying the `e2e` keyword (set below).

Never run `playwright install`: chromium comes from Debian (/usr/bin/chromium).
"""
import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from feedback import create_app
from feedback.db import db
from tests.conftest import ROOT, migrate

CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    # Without these chromium keeps trying to reach Google and logs refused connections.
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
SCREENSHOTS = Path(ROOT) / "test-results" / "screenshots"
# Playwright waits (ms): a local server answers in milliseconds, so fail fast rather than hang.
TIMEOUT_MS = 10_000

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """The app served on 127.0.0.1 at a free port from a background thread; yields the base URL."""
    url = "sqlite:///" + str(tmp_path_factory.mktemp("e2e-db") / "e2e.sqlite3")
    app = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": "e2e",
        "RATELIMIT_ENABLED": False,
        # As behind the production proxy: a journey may say which resident's address it stands for
        # (X-Forwarded-For from 127.0.0.1), so that many residents are not one address to the rules.
        "PROXY_COUNT": 1,
    })
    migrate(app)
    from feedback.catalog.services import load_catalog
    from feedback.territory.services import load_registry

    with app.app_context():
        load_registry()
        load_catalog()
        db.session.commit()
        db.session.remove()

    server = make_server("127.0.0.1", 0, app, threaded=True)  # port 0: the OS picks a free one
    thread = threading.Thread(target=server.serve_forever, name="e2e-live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def browser():
    # A fresh machine with only Python has no browser: `make test` skips the journeys there. CI
    # installs Debian's chromium and must run them, so a missing browser fails under CI=true.
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI needs {CHROMIUM} for the browser tests (apt-get install chromium)")
        pytest.skip(f"{CHROMIUM} is not installed; browser journeys not run")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def _page(browser, **options):
    # A fixed locale keeps Accept-Language neutral (en-US), so "/" falls back to Kyrgyz.
    context = browser.new_context(locale="en-US", **options)
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    return context, context.new_page()


def _phone_options(**extra):
    return dict(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, **extra)


@pytest.fixture
def phone(browser):
    """A 360×740 touch phone (a common cheap Android size)."""
    context, page = _page(browser, **_phone_options())
    yield page
    context.close()


@pytest.fixture
def phone_nojs(browser):
    """The same phone with JavaScript off: every journey must work without it."""
    context, page = _page(browser, **_phone_options(java_script_enabled=False))
    yield page
    context.close()


@pytest.fixture
def desktop(browser):
    context, page = _page(browser, viewport=DESKTOP)
    yield page
    context.close()


def screenshot(page, name: str) -> Path:
    """A full-page PNG under test-results/screenshots/ for people to look at; returns its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path

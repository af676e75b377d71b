"""Helpers shared by the tests.

The autouse fixture in conftest.py pushes one application context for the whole test, and Flask
reuses an application context that is already pushed for every request the test client makes. So
all requests of one test share ``g`` — where the app keeps the page language and Flask-Babel caches
the locale — and the second request of a test would be rendered in the first one's language. In
production every request has its own context; ``fresh_get`` gives a request that.
"""
import re
from html.parser import HTMLParser


def forget_kept() -> None:
    """Nothing kept in this process, as in a fresh one (or another worker): the reference-versioned
    store, the kept cards and pages, and the front's copies of whole responses."""
    from feedback import cache, front

    cache.store.clear()
    cache.kept_store.clear()
    front.copies.clear()


def fresh_get(app, client, url, **kwargs):
    """GET ``url`` in a new application context (a fresh ``g``), as a real request would be."""
    with app.app_context():
        return client.get(url, **kwargs)


class _TextParser(HTMLParser):
    """The text a reader sees: no tags, no attributes, nothing inside <script> or <style>."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.attributes: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._hidden += 1
        for name, value in attrs:
            if name in ("placeholder", "aria-label", "title", "alt") and value:
                self.attributes.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _TextParser()
    parser.feed(html)
    parser.close()
    return re.sub(r"\s+", " ", " ".join(parser.parts)).strip()


def labelled_attributes(html: str) -> list[str]:
    """Attribute values a person reads or hears: placeholder, aria-label, title, alt."""
    parser = _TextParser()
    parser.feed(html)
    parser.close()
    return parser.attributes


def links(html: str) -> list[tuple[dict, str]]:
    """(attributes, text) of every <a> of the page."""
    class Parser(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.found, self._open = [], None

        def handle_starttag(self, tag, attrs):
            if tag == "a":
                self._open = (dict(attrs), [])

        def handle_data(self, data):
            if self._open:
                self._open[1].append(data)

        def handle_endtag(self, tag):
            if tag == "a" and self._open:
                self.found.append((self._open[0], "".join(self._open[1]).strip()))
                self._open = None

    parser = Parser()
    parser.feed(html)
    return parser.found

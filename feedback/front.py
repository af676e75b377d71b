"""Kept responses answered before Flask: the next identical request for a kept page, card or
comparison is answered from this process's copy of the whole response once one statement has shown
that what it rests on has not changed.

A view that keeps a response (``cache.kept``, ``cache.page``) names the part of its key that the
versions give (``cache.Part``: a snapshot's scope and the key part made from it) and offers the
response it sends under the value it read (``cache.offer``). This WSGI layer, the innermost around
Flask, copies such a response — status, headers, body, exactly as sent — under the request's own
identity: its URL and every header the response can vary on (language, encoding, cookies, scheme,
host). The next request with the same identity reads the snapshot of that scope (the same single
statement the view would read) and, when the part gives the same value and the response has not
expired, gets the copy without a request context, hooks, routing or session. Otherwise the request
goes to Flask as before (reusing the snapshot read), which makes or finds the response and offers
it again.

So it answers exactly what Flask would: the view would have found the same kept body under the same
key, and the headers are what the hooks made of the same request. It never answers a request that
carries a session or a respondent's cookie (pages for a signed-in person or a resident with comments
of their own), a conditional or partial request, nor anything but GET; and it copies no response that
sets a cookie other than the language one, which the same request always gets.
"""
import threading
import time
import zlib
from collections import OrderedDict

from flask import Flask, current_app, g

from .cache import KEPT_LEVEL, PACKED
from .perf import HEADER as SQL_HEADER

FRONT_BYTES = 6 * 1024 * 1024  # whole responses, per process (app.config["FRONT_BYTES"]); the oldest go first
# The request headers a kept response may vary on; any request carrying one of UNSERVED is left to Flask.
IDENTITY = ("wsgi.url_scheme", "HTTP_HOST", "SCRIPT_NAME", "PATH_INFO", "QUERY_STRING", "HTTP_ACCEPT_LANGUAGE",
            "HTTP_ACCEPT_ENCODING", "HTTP_COOKIE")
UNSERVED = ("HTTP_AUTHORIZATION", "HTTP_RANGE", "HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_RANGE",
            "HTTP_IF_MATCH", "HTTP_IF_UNMODIFIED_SINCE")
OFFER = "feedback.front"  # the WSGI environ key of cache.offer's (part, value, until)


class _Copy:
    """A response as sent; a body the app did not compress is held compressed (zlib at cache.KEPT_LEVEL:
    a scorecard page is 5–8 times smaller, and is inflated in a tenth of the time making it costs)."""
    __slots__ = ("part", "value", "until", "status", "headers", "body", "packed")

    def __init__(self, part, value, until, status, headers, body: bytes, packed: bytes | None = None):
        """``packed``: ``body`` compressed already (the very bytes ``cache.kept`` keeps of it)."""
        self.part, self.value, self.until = part, value, until
        self.status, self.headers = status, headers
        self.packed = not any(name.lower() == "content-encoding" for name, _ in headers)
        self.body = (packed if packed is not None else zlib.compress(body, KEPT_LEVEL)) if self.packed else body

    def data(self) -> bytes:
        return zlib.decompress(self.body) if self.packed else self.body


class Copies:
    """A thread-safe LRU map from a request's identity to the copy of its response, bounded by the
    total size of the bodies."""

    def __init__(self, max_bytes: int = FRONT_BYTES):
        self.max_bytes, self.size, self.items, self.lock = max_bytes, 0, OrderedDict(), threading.Lock()

    def get(self, identity) -> _Copy | None:
        with self.lock:
            copy = self.items.get(identity)
            if copy is not None:
                self.items.move_to_end(identity)
            return copy

    def put(self, identity, copy: _Copy) -> None:
        if len(copy.body) > self.max_bytes:
            return
        with self.lock:
            old = self.items.pop(identity, None)
            if old is not None:
                self.size -= len(old.body)
            self.items[identity] = copy
            self.size += len(copy.body)
            while self.size > self.max_bytes:
                self.size -= len(self.items.popitem(last=False)[1].body)

    def drop(self, identity) -> None:
        with self.lock:
            old = self.items.pop(identity, None)
            if old is not None:
                self.size -= len(old.body)

    def clear(self) -> None:
        with self.lock:
            self.items.clear()
            self.size = 0


copies = Copies()


class Front:
    """The WSGI layer (see the module's docstring)."""

    def __init__(self, app: Flask, wsgi_app):
        self.app, self.wsgi_app = app, wsgi_app
        self.refused = ("session=", "respondent=")  # replaced in init_app by the configured names
        self.cookies_copied = ()

    def identity(self, environ) -> tuple | None:
        """The request's identity, or None when the front must leave it to Flask."""
        if environ.get("REQUEST_METHOD") != "GET" or any(name in environ for name in UNSERVED):
            return None
        cookie = environ.get("HTTP_COOKIE", "")
        if cookie and any(name in cookie for name in self.refused):
            return None
        return tuple(environ.get(name, "") for name in IDENTITY)

    def __call__(self, environ, start_response):
        identity = self.identity(environ)
        if identity is None:
            return self.wsgi_app(environ, start_response)
        copy = copies.get(identity)
        if copy is None:
            return self._through(identity, environ, start_response)
        with self.app.app_context():
            if self._current(copy):
                headers = copy.headers
                if current_app.config.get("SQL_COUNT_HEADER"):
                    headers = [*headers, (SQL_HEADER, str(g.get("_sql_statements", 0)))]
                start_response(copy.status, headers)
                return [copy.data()]
            copies.drop(identity)
            # Flask answers within this application context: the snapshot just read is the request's.
            for name in ("_kept_contexts", "_kept_periods"):
                g.pop(name, None)
            return self._through(identity, environ, start_response)

    def _current(self, copy: _Copy) -> bool:
        if copy.until is not None and time.time() >= copy.until:
            return False
        try:
            return copy.part.read() == copy.value
        except Exception:  # noqa: BLE001 - the database is gone or busy: Flask answers (503)
            return False

    def _through(self, identity, environ, start_response):
        sent = {}

        def capture(status, headers, exc_info=None):
            sent["status"], sent["headers"] = status, headers
            return start_response(status, headers, exc_info)

        body = self.wsgi_app(environ, capture)
        offered = environ.get(OFFER)
        if offered is None or not sent.get("status", "").startswith("200 ") or not self._copyable(sent["headers"]):
            return body
        try:
            data = b"".join(body)
        finally:
            if hasattr(body, "close"):
                body.close()
        part, value, until = offered
        headers = [(name, value_) for name, value_ in sent["headers"] if name != SQL_HEADER]
        kept = environ.get(PACKED)  # the body as cache.kept keeps it: held once, not compressed again
        packed = kept[1] if kept is not None and kept[0] == data else None
        copies.put(identity, _Copy(part, value, until, sent["status"], headers, data, packed))
        return [data]

    def _copyable(self, headers) -> bool:
        """No cookie but the language one (what the same request always gets) is set."""
        return all(name.lower() != "set-cookie" or value.startswith(self.cookies_copied) for name, value in headers)


def init_app(app: Flask) -> None:
    from .i18n import COOKIE as LANG_COOKIE
    from .ratings.respondents import COOKIE as RESPONDENT_COOKIE

    front = Front(app, app.wsgi_app)
    front.refused = (app.config["SESSION_COOKIE_NAME"] + "=", RESPONDENT_COOKIE + "=")
    front.cookies_copied = (LANG_COOKIE + "=",)
    copies.max_bytes = int(app.config.get("FRONT_BYTES", FRONT_BYTES))
    app.wsgi_app = front

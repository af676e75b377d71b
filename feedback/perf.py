"""Per-request cost and the page as a phone receives it.

- Compression in the app (Flask-Compress): brotli for browsers that accept it, else gzip; HTML, CSS,
  JS, JSON, SVG and CSV. A proxy in front may do it instead; then set ``COMPRESS_REGISTER=false``.
  The compressed forms of kept responses (whole scorecards and comparisons, ``cache.kept``) are kept
  too, per process, under a digest of the very body they compress (``COMPRESSED_BYTES``): brotli of a
  65 KB scorecard page costs about 2.5 ms, twice what serving the kept page costs.
- Static files under content-hashed URLs: ``url_for('static', filename=…)`` adds ``v=<hash of the
  file>``; a request carrying the current hash may be cached for a year (``immutable``), since a
  changed file gets a new URL.
- ``SQL_COUNT_HEADER`` (``FEEDBACK_SQL_COUNT_HEADER=true``; `make bench` and the query-count tests set
  it): every response carries ``X-SQL-Statements``, the number of SQL statements the request ran.
  Off by default (production pays one counter increment per statement).
"""
import hashlib
import re
import struct
import zlib
from pathlib import Path

from flask import Flask, current_app, g, has_app_context, request
from flask_compress import Compress
from sqlalchemy import event

from .db import db

HEADER = "X-SQL-Statements"
YEAR = 365 * 24 * 3600
COMPRESS_DEFAULTS = {
    "COMPRESS_MIMETYPES": ["text/html", "text/css", "text/javascript", "application/javascript",
                           "application/json", "image/svg+xml", "text/csv", "text/plain", "application/xml"],
    "COMPRESS_ALGORITHM": ["br", "gzip"],
    "COMPRESS_ALGORITHM_STREAMING": ["br", "deflate"],
    "COMPRESS_BR_LEVEL": 5,
    "COMPRESS_LEVEL": 6,
    "COMPRESS_MIN_SIZE": 500,
}
COMPRESSED_BYTES = 4 * 1024 * 1024  # compressed bodies of kept responses, per process
MMAP_THRESHOLD = 128 * 1024  # malloc's blocks this large and larger mapped apart (steady_memory); 0: glibc's default

compress = Compress()
_hashes: dict[tuple[str, float], str] = {}


def static_hash(filename: str) -> str | None:
    """First 12 hex digits of the file's SHA-256 (remembered per file and modification time)."""
    path = Path(current_app.static_folder or "") / filename
    try:
        key = (str(path), path.stat().st_mtime)
    except OSError:
        return None
    if key not in _hashes:
        _hashes[key] = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    return _hashes[key]


def _hashed_static_url(endpoint: str, values: dict) -> None:
    if endpoint == "static" and "v" not in values and values.get("filename"):
        digest = static_hash(values["filename"])
        if digest:
            values["v"] = digest


class CompressedBodies:
    """Flask-Compress's cache backend: compressed bodies of kept responses, by algorithm and a digest
    of the body, bounded in bytes (the least recently used go first). Any other response has an
    empty key (``_compressed_key``) and is compressed on every request as before."""

    def __init__(self, max_bytes: int = COMPRESSED_BYTES):
        from .cache import _ByteStore

        self.store = _ByteStore(max_bytes)

    def get(self, key: str) -> bytes | None:
        return None if key.endswith(";") else self.store.get(key, 0.0)

    def set(self, key: str, value: bytes) -> None:
        if not key.endswith(";"):
            self.store.put(key, value, None)


def _compressed_key(request_) -> str:
    return g.get("_kept_digest", "")


def _digest_kept(response):
    """Runs before the compression (registered after it): a kept body is named by its digest, so a
    compressed form is reused only for exactly the bytes it was made from."""
    if g.get("_kept_body") and response.status_code == 200 and not response.is_streamed:
        g._kept_digest = hashlib.blake2b(response.get_data(), digest_size=20).hexdigest()
    return response


def _cache_static(response):
    if request.endpoint == "static" and response.status_code == 200:
        if request.args.get("v") and request.args.get("v") == static_hash(request.view_args.get("filename", "")):
            response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    return response


def _count(conn, cursor, statement, parameters, context, executemany):
    if has_app_context():
        g._sql_statements = g.get("_sql_statements", 0) + 1


def _header(response):
    if current_app.config.get("SQL_COUNT_HEADER"):
        response.headers[HEADER] = str(g.get("_sql_statements", 0))
    return response


def steady_memory(threshold: int) -> bool:
    """Ask glibc's malloc to keep serving blocks of ``threshold`` bytes and more from their own
    mappings, returned to the system when freed. By default the threshold follows the largest block
    freed (up to 32 MB), so after the first large result set or card every later one is carved from
    the heap, which then stays as large as the largest moment: a worker at 5 M ratings ended 7–8 MB
    larger, with no more live objects (tracemalloc). Where malloc is not glibc's, or
    ``threshold`` is 0, nothing changes (False)."""
    import ctypes

    if not threshold:
        return False
    try:
        mallopt = ctypes.CDLL("libc.so.6").mallopt
    except (OSError, AttributeError):
        return False
    m_trim_threshold, m_mmap_threshold = -1, -3  # malloc.h
    return bool(mallopt(m_mmap_threshold, threshold)) and bool(mallopt(m_trim_threshold, threshold))


def init_app(app: Flask) -> None:
    steady_memory(int(app.config.get("MALLOC_MMAP_THRESHOLD", MMAP_THRESHOLD)))
    for key, value in COMPRESS_DEFAULTS.items():
        app.config.setdefault(key, value)
    app.config.setdefault("COMPRESS_CACHE_BACKEND", CompressedBodies)
    app.config.setdefault("COMPRESS_CACHE_KEY", _compressed_key)
    # Registered first, so it runs last: it compresses what the other after_request handlers made.
    compress.init_app(app)
    app.after_request(_digest_kept)
    app.url_defaults(_hashed_static_url)
    app.after_request(_cache_static)
    with app.app_context():
        for engine in db.engines.values():
            if not event.contains(engine, "before_cursor_execute", _count):
                event.listen(engine, "before_cursor_execute", _count)
    app.after_request(_header)


# --- a page kept with holes, served compressed without compressing it again ----------------------

_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # deflate, no name, no time, unknown OS
_ZEROS = bytes(256 * 1024)


class Holes:
    """A page made once with placeholders where each request's own values go (a blank rating form:
    its CSRF token and form stamp), kept as gzip's deflate data, one piece per part between the
    placeholders, each compressed once (level 9) and ended on a byte boundary (``Z_SYNC_FLUSH``, as
    pigz joins its blocks). A request's page in gzip is then those pieces with its values between
    them as stored (uncompressed) deflate blocks, the CRC-32 of the whole worked out from each
    part's own (``_crc_after``): no compression per request — brotli of a 15 KB form cost 0.85 ms,
    most of what serving it costs. ``plain`` inflates the pieces for a client that accepts no gzip.

    ``gzip(values)`` and ``plain(values)`` take the values in the placeholders' order, as bytes
    already escaped for where they go."""

    __slots__ = ("pieces", "sizes", "crcs", "nbytes")

    def __init__(self, page: bytes, placeholders: list[bytes]):
        pattern = b"|".join(re.escape(placeholder) for placeholder in placeholders)
        parts = re.split(b"(" + pattern + b")", page) if placeholders else [page]
        self.pieces, self.sizes, self.crcs = [], [], []
        order = []
        for i, part in enumerate(parts):
            if i % 2:
                order.append(part)
                continue
            deflate = zlib.compressobj(9, zlib.DEFLATED, -15, 9)
            last = i == len(parts) - 1
            self.pieces.append(deflate.compress(part) + deflate.flush(zlib.Z_FINISH if last else zlib.Z_SYNC_FLUSH))
            self.sizes.append(len(part))
            self.crcs.append(zlib.crc32(part))
        if order != placeholders:
            raise ValueError(f"the page's placeholders are {order!r}, not {placeholders!r}")
        if max(self.sizes) > len(_ZEROS):
            raise ValueError("a part of the page is longer than _ZEROS")
        self.nbytes = sum(len(piece) for piece in self.pieces)

    def gzip(self, values: list[bytes]) -> bytes:
        out = [_GZIP_HEADER, self.pieces[0]]
        crc, size = self.crcs[0], self.sizes[0]
        for value, piece, part_size, part_crc in zip(values, self.pieces[1:], self.sizes[1:], self.crcs[1:],
                                                     strict=True):
            for start in range(0, len(value), 0xFFFF):  # a stored block holds at most 65,535 bytes
                chunk = value[start:start + 0xFFFF]
                out.append(struct.pack("<BHH", 0, len(chunk), len(chunk) ^ 0xFFFF) + chunk)
            out.append(piece)
            crc = _crc_after(zlib.crc32(value, crc), part_size, part_crc)
            size += len(value) + part_size
        out.append(struct.pack("<II", crc, size & 0xFFFFFFFF))
        return b"".join(out)

    def plain(self, values: list[bytes]) -> bytes:
        out = [zlib.decompressobj(-15).decompress(self.pieces[0])]
        for value, piece in zip(values, self.pieces[1:], strict=True):
            out += [value, zlib.decompressobj(-15).decompress(piece)]
        return b"".join(out)


def _crc_after(crc: int, size: int, part_crc: int) -> int:
    """The CRC-32 of a text whose CRC-32 is ``crc`` followed by a part of ``size`` bytes whose own
    CRC-32 is ``part_crc``, without the part's bytes: CRC-32 is affine in its starting value, and
    how the start carries through depends only on the length, so the part's bytes may be zeros."""
    zeros = memoryview(_ZEROS)[:size]
    return zlib.crc32(zeros, crc) ^ zlib.crc32(zeros) ^ part_crc

"""make bench: every main route against the bare stack, measured in the same series.

For each database (SQLite, PostgreSQL) and each scale (ratings of demo history) it prepares a bench
database (migrate, reference data, `demo seed --scale`, skipped when already at that scale), serves
the application with gunicorn (deploy/gunicorn.conf.py, production settings, rate limits off) and a bare Flask
JSON app with the same settings, and drives both with wrk. Every series measures the bare app first,
then each route; a route's ratio is its requests/s over the bare app's in the same series (the median
over the series is reported). It also records SQL statements per request (the X-SQL-Statements header,
on only here), the workers' resident memory after the run, and that every acknowledged rating was
stored. Results: docs/benchmarks.md and docs/benchmarks.json (with the machine and the commands).

    bench/run [--quick] [--db sqlite,postgresql] [--scales 50k,5M] [--series 3] [--duration 10]
"""
import argparse
import datetime as dt
import json
import os
import platform
import random
import re
import secrets
import shlex
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from . import bare_write

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
LUA = ROOT / "bench" / "lua"
APP_PORT = int(os.environ.get("BENCH_PORT", "7510"))
BARE_PORT = APP_PORT + 1
BARE_WRITE_PORT = APP_PORT + 2  # bench/bare_write.py: the least a durable rating can be
APP_WRITE_PORT = APP_PORT + 3  # bench/app_write.py: that write served by the app, before any rule
# Visitors (form stamps) fetched before a run for the HTML form posts: more than this rate of posts
# reuses stamps, and the report says how many (form_stamps_reused).
FORM_POSTS_PER_SECOND = 400
RATINGS_PER_SCALE = 83_000  # demo seed --scale 1 makes about this many ratings (two years)
# Budgets: ratio to the bare route in the same series (issue 15).
BUDGETS = {"home": 0.40, "search": 0.30, "rating form": 0.30, "POST /api/v1/ratings": 0.30,
           "HTML form post": 0.20, "compare region": 0.15, "compare district": 0.15}
RSS_BUDGET_MB = 150
# Read routes whose answer rests on the ratings: warmed again (unmeasured) after a write route ran.
RATED = ("scorecard JSON", "scorecard HTML", "compare region", "compare district")
BARE_WRITE = "bare write (reference)"
APP_WRITE = "bare write through the app (reference)"
# Routes that are not the product's but measure what a write can reach here (name → kind): no
# budget, no SQL count, no profile, their ratings in tables of their own (bench/bare_write.py).
REFERENCES = {BARE_WRITE: "bare_write", APP_WRITE: "app_write"}
REFERENCE_KINDS = tuple(REFERENCES.values())
CONTEXT_SECONDS = 10.5  # SCORECARD_CONTEXT_MIN_SECONDS (10, the default the bench runs with), and a margin
SCALE_BUDGET = 0.85  # each route at 5 M ratings at least this share of its own ratio at 50 k (issue 15)


def parse_count(text: str) -> int:
    match = re.fullmatch(r"(\d+(?:\.\d+)?)([kKmM]?)", text.strip())
    if not match:
        raise argparse.ArgumentTypeError(f"not a count: {text}")
    return int(float(match[1]) * {"": 1, "k": 1_000, "m": 1_000_000}[match[2].lower()])


def human(n: int) -> str:
    return f"{n // 1_000_000} M" if n >= 1_000_000 and n % 1_000_000 == 0 else f"{n // 1000} k"


def run(cmd, env=None, **kwargs):
    return subprocess.run(cmd, env={**os.environ, **(env or {})}, check=True, cwd=ROOT, **kwargs)


def database_url(db: str, ratings: int, args) -> str:
    if db == "sqlite":
        name = human(ratings).replace(" ", "")
        return f"sqlite:///{ROOT / 'instance' / ('bench-' + name + '.sqlite3')}"
    # One PostgreSQL database per scale when the URL names it: …/feedback_bench{scale} → …/feedback_bench5m
    return args.postgres_url.replace("{scale}", human(ratings).replace(" ", "").lower())


# --- the bench database ---------------------------------------------------------------------------

def demo_ratings(url: str) -> int:
    from sqlalchemy import create_engine, text

    sys.path.insert(0, str(ROOT))
    from feedback.config import normalise_database_url

    engine = create_engine(normalise_database_url(url))
    try:
        with engine.connect() as conn:
            return conn.scalar(text("SELECT count(*) FROM rating WHERE client_id LIKE 'demo-%'")) or 0
    except Exception:  # noqa: BLE001 - no schema yet
        return 0
    finally:
        engine.dispose()


def prepare(url: str, ratings: int, log) -> dict:
    env = {"DATABASE_URL": url, "FEEDBACK_ENV": "development"}
    run([str(BIN / "alembic"), "-q", "upgrade", "head"], env)
    have = demo_ratings(url)
    if have and abs(have - ratings) <= 0.25 * ratings:
        log(f"  bench database already has {have} demo ratings")
        return {"demo_ratings": have, "seed_seconds": None}
    flask = [str(BIN / "flask"), "--app", "wsgi"]
    run(flask + ["load-reference-data"], env, stdout=subprocess.DEVNULL)
    scale = ratings / RATINGS_PER_SCALE
    log(f"  seeding about {human(ratings)} ratings (demo seed --scale {scale:.2f})")
    started = time.monotonic()
    run(flask + ["demo", "seed", "--scale", f"{scale:.3f}"], env)
    return {"demo_ratings": demo_ratings(url), "seed_seconds": round(time.monotonic() - started, 1)}


def valid_pairs(url: str) -> list[tuple[str, str]]:
    """(municipality, subject) pairs a resident may rate, for the random POSTs and forms."""
    os.environ["DATABASE_URL"] = url
    sys.path.insert(0, str(ROOT))
    from sqlalchemy import select

    from feedback import create_app
    from feedback.catalog.models import MUNICIPALITY_KIND_APPLIES, Subject
    from feedback.db import db
    from feedback.territory.models import Municipality

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        subjects = [s for s in db.session.scalars(select(Subject).order_by(Subject.code))
                    if s.rated_by_citizens and not s.retired]
        pairs = []
        for m in db.session.scalars(select(Municipality).where(Municipality.valid_to.is_(None))
                                    .order_by(Municipality.code)):
            pairs += [(m.code, s.code) for s in subjects if s.applies_to in MUNICIPALITY_KIND_APPLIES[m.kind]]
        db.session.remove()
        for engine in db.engines.values():
            engine.dispose()
    return pairs


# --- servers --------------------------------------------------------------------------------------

SERVICE = ROOT / "deploy" / "systemd" / "feedback.service"


def app_server_environment() -> dict:
    """The interpreter's settings an app server runs with: the ``Environment=`` lines of
    deploy/systemd/feedback.service (PYTHONOPTIMIZE=2: no docstrings in memory), given to the app and
    to the bare app alike, so that the bench measures what production runs."""
    lines = SERVICE.read_text().splitlines()
    return dict(line.removeprefix("Environment=").split("=", 1) for line in lines if line.startswith("Environment="))


GUNICORN_CONF = ROOT / "deploy" / "gunicorn.conf.py"
APP_WRITE_MODULE = "bench.app_write:create()"


def gunicorn_settings(port: int, workers: int) -> dict:
    """What a bench (or test) server changes of deploy/gunicorn.conf.py, through the environment it
    reads: its address, its number of workers, and the access log written (and its line formatted)
    as in production but into /dev/null."""
    return {"GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": str(workers), "GUNICORN_ACCESS_LOG": "/dev/null"}


def gunicorn(module: str, port: int, env: dict, workers: int) -> subprocess.Popen:
    """Serve ``module`` as an app server does: deploy/gunicorn.conf.py (sync workers, the recycling
    of workers, the access log) with the service's interpreter settings."""
    return start(["-c", str(GUNICORN_CONF)], module, port, {**env, **gunicorn_settings(port, workers)})


def start(flags: list, module: str, port: int, env: dict) -> subprocess.Popen:
    """gunicorn with ``flags`` serving ``module`` with the service's interpreter settings, once it answers
    (/healthz of the app, / of the bare app) on ``port``."""
    cmd = [str(BIN / "gunicorn"), *flags, "--log-level", "warning", module]
    proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **app_server_environment(), **env},
                            start_new_session=True)
    for _ in range(150):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz" if module in ("wsgi:app", APP_WRITE_MODULE)
                                   else f"http://127.0.0.1:{port}/", timeout=10)
            return proc
        except OSError:  # not listening yet, or slow to answer
            time.sleep(0.2)
    stop(proc)
    raise RuntimeError(f"{module} did not start on port {port}")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def worker_rss_mb(master: subprocess.Popen) -> list[float]:
    out = subprocess.run(["ps", "-o", "pid=,rss=", "--ppid", str(master.pid)], capture_output=True, text=True).stdout
    return [round(int(line.split()[1]) / 1024, 1) for line in out.splitlines() if line.strip()]


# --- wrk ------------------------------------------------------------------------------------------

def _ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def wrk(url: str, duration: int, script: Path | None = None, script_args=(), connections=8, headers=()) -> dict:
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "10s"]
    for header in headers:
        cmd += ["-H", header]
    if script:
        cmd += ["-s", str(script)]
    cmd.append(url)
    if script_args:
        cmd += ["--", *script_args]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    result = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1]),
              "p50_ms": _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M)[1]),
              "p99_ms": _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M)[1]),
              "requests": int(re.search(r"(\d+) requests in", out)[1])}
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    result["non_2xx_3xx"] = int(errors[1]) if errors else 0
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    result["socket_errors"] = sum(map(int, socket.groups())) if socket else 0
    ack = re.search(r"ACK (\d+) OTHER (\d+)", out)
    if ack:
        result["acknowledged"], result["refused"] = int(ack[1]), int(ack[2])
    result["command"] = shlex.join(cmd)
    return result


# --- routes ---------------------------------------------------------------------------------------

# The rating forms are asked for as a phone's browser asks (a resident's first visit is the campaign's
# load): with this header they are sent compressed, as residents receive them.
PHONE = ["Accept-Encoding: gzip, deflate, br"]
HEADERS = {"what to rate (poster)": PHONE, "rating form": PHONE, "rating form, 300 random": PHONE}  # by route name; others send none

class Routes:
    """The routes measured, with what each needs (random paths, POST scripts)."""

    def __init__(self, pairs, workdir: Path, base: str, quick: bool, only: str | None = None):
        self.pairs, self.workdir, self.base = pairs, workdir, base
        rng = random.Random(15)
        municipalities = sorted({m for m, _ in pairs})
        water = [f"/ky/m/{m}/rate/{s}" for m, s in pairs if s == "LI-WATER"] or \
            [f"/ky/m/{m}/rate/{s}" for m, s in pairs]
        sample = rng.sample(municipalities, min(300, len(municipalities)))
        self.files = {
            "forms": self._write("forms.txt", rng.sample(water, min(300, len(water)))),
            "scorecard_json": self._write("scorecard_json.txt", [f"/api/v1/municipalities/{m}/scorecard" for m in sample]),
            "scorecard_html": self._write("scorecard_html.txt", [f"/ky/m/{m}/" for m in sample]),
            "pairs": self._write("pairs.txt", [f"{m} {s}" for m, s in pairs]),
        }
        self.run_id = dt.datetime.now().strftime("%H%M%S")
        self.form_posts = 0  # form stamps used so far (form_credentials)
        self.last_write = 0.0  # time.monotonic() when a write route last ran
        # name, kind, path or file
        self.routes = [
            ("healthz", "get", "/healthz"),
            ("home", "get", "/ky/"),
            ("home, brotli", "get_br", "/ky/"),
            ("search", "get", "/ky/search?q=ak-bulun"),
            ("what to rate (poster)", "get", "/ky/m/41702205805000/rate"),
            ("rating form", "get", "/ky/m/41702205805000/rate/LI-WATER"),
            ("rating form, 300 random", "paths", "forms"),
            ("scorecard JSON", "paths", "scorecard_json"),
            ("scorecard HTML", "paths", "scorecard_html"),
            ("compare region", "get", "/api/v1/compare?level=region"),
            ("compare district", "get", "/api/v1/compare?level=district"),
            # The writes last: each rating makes its municipality's card and the comparisons new (a
            # rating shows on the next request), so the read routes resting on ratings are warmed
            # again after them before the next series measures them (RATED). First the bare stack's
            # write (bench/bare_write.py, tables of its own): what a write can reach here at all; then
            # that write served by the app (bench/app_write.py): what the app's request handling leaves.
            (BARE_WRITE, REFERENCES[BARE_WRITE], f"http://127.0.0.1:{BARE_WRITE_PORT}/"),
            (APP_WRITE, REFERENCES[APP_WRITE], f"http://127.0.0.1:{APP_WRITE_PORT}/"),
            ("POST /api/v1/ratings", "api", None),
            ("HTML form post", "form", None),
        ]
        if quick and not only:  # --routes names what to measure, whatever --quick leaves out
            self.routes = [r for r in self.routes if r[0] not in ("scorecard HTML", "compare district",
                                                                  "rating form, 300 random")]
        if only:  # --routes: a targeted run (e.g. the two rating POSTs), still against the bare route
            wanted = route_names(only, [r[0] for r in self.routes])
            self.routes = [r for r in self.routes if r[0] in wanted]

    def visit_each(self, target: str) -> None:
        """GET every path of a ``paths`` route once, two at a time (one per worker)."""
        from concurrent.futures import ThreadPoolExecutor

        paths = [line for line in self.files[target].read_text().splitlines() if line]

        def visit(path):
            with urllib.request.urlopen(self.base + path, timeout=120) as response:
                response.read()

        with ThreadPoolExecutor(2) as pool:
            list(pool.map(visit, paths))

    def _write(self, name, lines) -> Path:
        path = self.workdir / name
        path.write_text("\n".join(lines) + "\n")
        return path

    def form_credentials(self, count: int) -> list[tuple[str, str, str]]:
        """``count`` visitors' (session cookie, CSRF token, form stamp), each from its own GET of a
        form (written to the file the form-post script reads): a stamp is single-use and bound to its
        visitor, so each post needs its own, or it measures the quarantine of a reused stamp."""
        path = self.files["forms"].read_text().split()[0]
        found = []
        for _ in range(count):
            with urllib.request.urlopen(self.base + path) as response:
                html = response.read().decode()
                cookies = [c.split(";")[0] for c in response.headers.get_all("Set-Cookie") or []]
            token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or \
                re.search(r'name="csrf_token" value="([^"]+)"', html)
            started = re.search(r'name="started" type="hidden" value="([^"]+)"', html)
            found.append(("; ".join(c for c in cookies if c.startswith("session=")), token[1], started[1]))
        self.files["credentials"] = self._write("credentials.txt", ["\t".join(c) for c in found[3:]])
        time.sleep(3)  # older than the minimum fill time (ABUSE_MIN_FILL_SECONDS), as a resident's form is
        return found

    def measure(self, name, kind, target, duration, credentials):
        result = self._measure(name, kind, target, duration, credentials)
        if kind in ("api", "form"):
            self.last_write = time.monotonic()
        return result

    def _measure(self, name, kind, target, duration, credentials):
        if kind == "get":
            return wrk(self.base + target, duration, headers=HEADERS.get(name, ()))
        if kind == "get_br":
            return wrk(self.base + target, duration, headers=["Accept-Encoding: br"])
        if kind == "paths":
            return wrk(self.base + "/", duration, LUA / "paths.lua", [str(self.files[target])],
                       headers=HEADERS.get(name, ()))
        if kind in ("api", *REFERENCE_KINDS):
            result = wrk(target or self.base + "/", duration, LUA / "api_rating.lua",
                         [str(self.files["pairs"]), f"{self.run_id}-{time.monotonic_ns() % 10**9}"])
            if kind in REFERENCE_KINDS:  # stored in tables of their own: not the app's ratings to account for
                result["bare_acknowledged"] = result.pop("acknowledged", 0)
            return result
        result = wrk(self.base + "/", duration, LUA / "form_rating.lua",
                     [str(self.files["pairs"]), str(self.files["credentials"]), str(self.form_posts)])
        self.form_posts += result["requests"] + 16  # and what was in flight when wrk stopped
        available = len(self.files["credentials"].read_text().splitlines())
        result["form_stamps_reused"] = max(0, self.form_posts - available)  # reused stamps are quarantined
        return result

    def warm_up(self, seconds, credentials) -> int:
        """Unmeasured load on each route before the first series, so that every route is measured in
        its steady state; the ratings acknowledged. The writes first: the pages a rating changes are
        then in the operating system's cache (at 4.86 M ratings on SQLite the first seconds of writes
        after a start ran at two thirds of the rate of those after them), and the reads after them,
        each worker having made what it keeps (every path of a ``paths`` route once first: 300 cold
        cards take minutes), those resting on ratings once the shared context may be recomputed."""
        acknowledged = 0
        for name, kind, target in self.routes:
            if kind in ("api", "form", *REFERENCE_KINDS):
                acknowledged += self.measure(name, kind, target, seconds, credentials).get("acknowledged", 0)
        for _name, kind, target in self.routes:
            if kind in ("get", "paths"):
                self.rewarm(kind, target, seconds, credentials)
        return acknowledged

    def rewarm(self, kind, target, seconds, credentials) -> None:
        """What the last write routes made new (cards, comparisons) made once again, unmeasured, once
        the shared scorecard context may be recomputed (at most every CONTEXT_SECONDS after a
        rating): cards made before that would all be made again by its first request after it."""
        time.sleep(max(0.0, self.last_write + CONTEXT_SECONDS - time.monotonic()))
        if kind == "paths":
            self.visit_each(target)
        self.measure("warm", kind, target, seconds, credentials)

    def sql_statements(self, kind, target, credentials) -> float | None:
        """Median of X-SQL-Statements over a few requests of the route (None: not the app's)."""
        if kind in REFERENCE_KINDS:
            return None
        counts = []
        paths = self.files[target].read_text().split()[:5] if kind == "paths" else [target] * 3
        for i, path in enumerate(paths if kind in ("get", "get_br", "paths") else range(3)):
            if kind == "api":
                m, s = self.pairs[i * 7919 % len(self.pairs)]
                body = json.dumps({"municipality": m, "subject": s, "overall": 4,
                                   "client_id": f"bench-sql-{self.run_id}-{time.monotonic_ns()}"}).encode()
                req = urllib.request.Request(self.base + "/api/v1/ratings", body,
                                             {"Content-Type": "application/json"})
            elif kind == "form":
                cookie, token, started = credentials[i]  # the first three, which the wrk runs do not use
                m, s = self.pairs[i * 7919 % len(self.pairs)]
                body = urllib.parse.urlencode({"csrf_token": token, "started": started, "overall": 3}).encode()
                req = urllib.request.Request(f"{self.base}/ky/m/{m}/rate/{s}", body, {"Cookie": cookie})
            else:
                req = urllib.request.Request(self.base + path)
            try:
                with urllib.request.build_opener(_NoRedirect).open(req) as response:
                    header = response.headers.get("X-SQL-Statements")
            except urllib.error.HTTPError as error:
                header = error.headers.get("X-SQL-Statements")
            if header is not None:
                counts.append(int(header))
        return statistics.median(counts) if counts else None


def route_names(only: str, names: list[str]) -> set[str]:
    """The routes named in a comma-separated --routes, where a name may hold a comma itself
    ("rating form, 300 random"): the longest run of parts that is a route's name wins."""
    parts, wanted, i = [part.strip() for part in only.split(",")], set(), 0
    while i < len(parts):
        for j in range(len(parts), i, -1):
            if ", ".join(parts[i:j]) in names:
                wanted.add(", ".join(parts[i:j]))
                i = j
                break
        else:
            wanted.add(parts[i])
            i += 1
    return wanted


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


LIGHTHOUSE_PAGES = {"home": "/ky/", "rating form": "/ky/m/41702205805000/rate/LI-WATER",
                    "scorecard": "/ky/m/41702205805000/"}


def lighthouse(base: str, command: str) -> dict:
    """Lighthouse (mobile emulation, simulated throttling) on the Kyrgyz home, rating form and a
    scorecard: category scores and the bytes transferred. ``command``: the lighthouse executable."""
    results = {}
    for name, path in LIGHTHOUSE_PAGES.items():
        with tempfile.NamedTemporaryFile(suffix=".json") as out:
            subprocess.run([command, base + path, "--quiet", "--form-factor=mobile", "--output=json",
                            f"--output-path={out.name}", "--chrome-flags=--headless=new --no-sandbox",
                            "--only-categories=performance,accessibility,best-practices"],
                           env={**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")},
                           check=True, timeout=300, capture_output=True)
            report = json.loads(Path(out.name).read_text())
        results[name] = {**{k: round(v["score"] * 100) for k, v in report["categories"].items()},
                         "transfer_bytes": report["audits"]["total-byte-weight"]["numericValue"],
                         "lcp_ms": round(report["audits"]["largest-contentful-paint"]["numericValue"])}
    return results


def stored_bench_ratings(url: str) -> tuple[int, int]:
    """The bench's ratings stored so far, and how many of them were quarantined: the measured path is
    a resident's accepted rating, so quarantined ones (a reused form stamp, a burst) are reported."""
    from sqlalchemy import create_engine, text

    from feedback.config import normalise_database_url

    engine = create_engine(normalise_database_url(url))
    with engine.connect() as conn:
        n, quarantined = conn.execute(text(
            "SELECT count(*), count(CASE WHEN status = 'quarantined' THEN 1 END) FROM rating "
            "WHERE client_id LIKE 'bench-%' OR client_id IS NULL")).one()
    engine.dispose()
    return n, quarantined


# --- one configuration ----------------------------------------------------------------------------

def production_env(url: str, port: int, redis_url: str | None) -> dict:
    """The app's environment under the bench: production settings (the start-up check,
    config.check_production, wants real keys, a public address, a real SMS backend, never called
    here, and shared rate-limit storage), rate limits off, the SQL count header on."""
    env = {"DATABASE_URL": url, "FEEDBACK_ENV": "production", "SECRET_KEY": secrets.token_hex(32),
           "FEEDBACK_PERSONAL_DATA_KEY": secrets.token_hex(32), "FEEDBACK_AUDIT_KEY": secrets.token_hex(32),
           "FEEDBACK_PUBLIC_URL": f"http://127.0.0.1:{port}", "FEEDBACK_SMS_BACKEND": "http",
           "FEEDBACK_SMS_GATEWAY_URL": "http://127.0.0.1:9/unused",
           "FEEDBACK_RATELIMIT_ENABLED": "false", "FEEDBACK_SESSION_COOKIE_SECURE": "false",
           "FEEDBACK_SQL_COUNT_HEADER": "true",
           # Behind one proxy as in deploy/feedback.env.example (wrk stands for nginx): the client
           # address is X-Forwarded-For's, which bench/lua/ sets to a resident's own for each rating,
           # so the anti-abuse rules run with their production thresholds and accept the ratings.
           "FEEDBACK_PROXY_COUNT": "1", "FEEDBACK_TRUSTED_PROXIES": "127.0.0.1"}
    if redis_url:
        env["REDIS_URL"] = redis_url  # as in production: spent form stamps are shared through it
    else:
        env["FEEDBACK_SINGLE_PROCESS"] = "true"  # rate limits are off; stamps remembered per worker
    return env


def worker_pids(master: subprocess.Popen) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(master.pid)], capture_output=True, text=True).stdout
    return [int(pid) for pid in out.split()]


def bench_configuration(db: str, ratings: int, args, log) -> dict:
    url = database_url(db, ratings, args)
    log(f"\n== {db}, {human(ratings)} ratings ==")
    prep = prepare(url, ratings, log)
    pairs = valid_pairs(url)
    env = production_env(url, APP_PORT, args.redis_url)
    results = {"database": db, "target_ratings": ratings, **prep, "series": []}
    bare_write.create_tables(url)
    servers = []
    try:
        app = gunicorn("wsgi:app", APP_PORT, env, args.workers)
        servers.append(app)
        servers.append(gunicorn("bench.bare:app", BARE_PORT, {}, args.workers))
        servers.append(gunicorn("bench.bare_write:app", BARE_WRITE_PORT, {"BARE_WRITE_URL": url}, args.workers))
        servers.append(gunicorn(APP_WRITE_MODULE, APP_WRITE_PORT, env, args.workers))
        with tempfile.TemporaryDirectory() as tmp:
            routes = Routes(pairs, Path(tmp), f"http://127.0.0.1:{APP_PORT}", args.quick, args.routes)
            form_runs = args.series + (1 if args.warmup else 0) + (1 if args.profile else 0)
            credentials = routes.form_credentials(
                3 + FORM_POSTS_PER_SECOND * int(args.duration) * form_runs
                if any(kind == "form" for _, kind, _ in routes.routes) else 3)
            stored_before = stored_bench_ratings(url)
            acknowledged = 0
            if args.warmup:
                acknowledged += routes.warm_up(args.warmup, credentials)
            writes, warmed = 0, {}  # write routes run so far; and when each read route was last warmed
            for number in range(args.series):
                series = {"bare": wrk(f"http://127.0.0.1:{BARE_PORT}/", args.duration), "routes": {}}
                log(f"  series {number + 1}: bare {series['bare']['rps']:.0f} req/s")
                for name, kind, target in routes.routes:
                    if args.warmup and name in RATED and warmed.get(name, 0) != writes:
                        routes.rewarm(kind, target, min(2, args.warmup), credentials)
                        warmed[name] = writes
                    # The bare route right before each route too: on a shared machine the load moves
                    # within a series; the ratio uses the mean of the two bare runs around the route.
                    bare_before = wrk(f"http://127.0.0.1:{BARE_PORT}/", args.bare_duration)["rps"]
                    result = routes.measure(name, kind, target, args.duration, credentials)
                    bare_after = wrk(f"http://127.0.0.1:{BARE_PORT}/", args.bare_duration)["rps"]
                    result["bare_rps"] = round((bare_before + bare_after) / 2, 1)
                    result["ratio"] = round(result["rps"] / result["bare_rps"], 3)
                    acknowledged += result.get("acknowledged", 0)
                    writes += kind in ("api", "form")
                    series["routes"][name] = result
                    log(f"    {name:24} {result['rps']:8.0f} req/s  ratio {result['ratio']:.3f}  "
                        f"p50 {result['p50_ms']:.1f} ms  p99 {result['p99_ms']:.1f} ms"
                        + (f"  errors {result['non_2xx_3xx'] + result['socket_errors']}"
                           if result['non_2xx_3xx'] + result['socket_errors'] else ""))
                results["series"].append(series)
            if args.profile:  # after the measured series: sampling costs the workers some time
                results["profiles"], profiled = profile_routes(routes, credentials, app, db, ratings, args, log)
                acknowledged += profiled
            for name, kind, target in routes.routes:  # counted in the steady state, as measured
                if name in RATED:
                    routes.rewarm(kind, target, 1, credentials)
            results["sql_statements"] = {name: routes.sql_statements(kind, target, credentials)
                                         for name, kind, target in routes.routes}
            results["worker_rss_mb"] = worker_rss_mb(app)
            if args.lighthouse:
                results["lighthouse"] = lighthouse(f"http://127.0.0.1:{APP_PORT}", args.lighthouse)
            stored, quarantined = (after - before for after, before in zip(stored_bench_ratings(url), stored_before, strict=True))
            # The SQL-count pass above stored 3 more per POST route.
            extra = 3 * sum(1 for _, kind, _ in routes.routes if kind in ("api", "form"))
            results["ratings_acknowledged"], results["ratings_stored"] = acknowledged, stored - extra
            results["ratings_quarantined"] = quarantined
    finally:
        for server in servers:
            stop(server)
        bare_write.drop_tables(url)
    results["summary"] = summarise(results)
    return results


def profile_routes(routes, credentials, app, db, ratings, args, log) -> tuple[dict, int]:
    """Each route once more under wrk while py-spy samples both workers (bench/profile.py): a flame
    graph per route in ``args.profile``, each route's summary for the report, and the ratings those
    runs had acknowledged (every one must be stored)."""
    from . import profile

    out_dir, summaries, acknowledged = Path(args.profile), {}, 0
    for name, kind, target in routes.routes:
        if kind in REFERENCE_KINDS:  # not the product's
            continue
        path = (out_dir / f"{db}-{human(ratings).replace(' ', '')}-{profile.slug(name)}.svg").resolve()
        if name in RATED:  # after the last series' writes, as when measured
            routes.rewarm(kind, target, 1, credentials)
        samplers = profile.record(app.pid, args.duration, path)
        acknowledged += routes.measure(name, kind, target, args.duration + 1, credentials).get("acknowledged", 0)
        for sampler in samplers:
            sampler.wait(timeout=60)
        stacks = path.with_suffix(".txt")
        summaries[name] = {"path": str(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path),
                           **profile.summary(stacks.read_text() if stacks.exists() else "")}
        stacks.unlink(missing_ok=True)  # the flame graph holds the same stacks
        log(f"    profiled {name}: {summaries[name]['samples']} samples")
    return summaries, acknowledged


def summarise(results) -> dict:
    summary = {}
    names = list(results["series"][0]["routes"])
    for name in names:
        runs = [s["routes"][name] for s in results["series"]]
        summary[name] = {
            "rps": round(statistics.median(r["rps"] for r in runs), 1),
            "ratio": round(statistics.median(r["ratio"] for r in runs), 3),
            "ratio_min": min(r["ratio"] for r in runs), "ratio_max": max(r["ratio"] for r in runs),
            "p50_ms": round(statistics.median(r["p50_ms"] for r in runs), 2),
            "p99_ms": round(statistics.median(r["p99_ms"] for r in runs), 2),
            "errors": sum(r["non_2xx_3xx"] + r["socket_errors"] for r in runs),
            "sql": results["sql_statements"].get(name),
            "budget": BUDGETS.get(name),
        }
    summary["bare"] = {"rps": round(statistics.median(s["bare"]["rps"] for s in results["series"]), 1)}
    return summary


# --- report ---------------------------------------------------------------------------------------

def machine() -> dict:
    cpu = ""
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    mem = ""
    try:
        mem = Path("/proc/meminfo").read_text().splitlines()[0].split(":")[1].strip()
    except OSError:
        pass
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.splitlines()[:1]
    return {"cpu": cpu, "cores": os.cpu_count(), "memory": mem, "python": platform.python_version(),
            "system": platform.platform(), "wrk": wrk_version[0] if wrk_version else "",
            "load_average_before": os.getloadavg()}


def table(results) -> str:
    s = results["summary"]
    lines = [f"### {results['database']}, {results['demo_ratings']:,} demo ratings".replace(",", " "),
             "", f"bare Flask JSON route: {s['bare']['rps']:.0f} req/s (median of {len(results['series'])} series)",
             "", "| route | req/s | ratio to bare (min–max) | budget | p50 ms | p99 ms | SQL/request | errors |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for name, r in s.items():
        if name == "bare":
            continue
        budget = r["budget"]
        mark = "" if budget is None else (f"≥ {budget} {'met' if r['ratio'] >= budget else '**not met**'}")
        lines.append(f"| {name} | {r['rps']:.0f} | {r['ratio']:.3f} ({r['ratio_min']:.3f}–{r['ratio_max']:.3f}) | "
                     f"{mark} | {r['p50_ms']:.1f} | {r['p99_ms']:.1f} | {'' if r['sql'] is None else r['sql']:} | "
                     f"{r['errors']} |")
    rss = results.get("worker_rss_mb", [])
    lines += ["", f"Worker RSS after the run: {', '.join(f'{x:.0f} MB' for x in rss)} (budget < {RSS_BUDGET_MB} MB). "
              f"Ratings acknowledged: {results['ratings_acknowledged']}, stored: {results['ratings_stored']}"
              f"{'' if results.get('ratings_quarantined') is None else ', quarantined: ' + str(results['ratings_quarantined'])}."]
    for page, scores in results.get("lighthouse", {}).items():
        lines.append(f"Lighthouse, {page} (mobile): performance {scores['performance']}, accessibility "
                     f"{scores['accessibility']}, best practices {scores['best-practices']}; "
                     f"{scores['transfer_bytes'] / 1024:.1f} KB transferred, LCP {scores['lcp_ms']} ms.")
    if results.get("seed_seconds"):
        lines.append(f"Seeding took {results['seed_seconds']:.0f} s.")
    if results.get("profiles"):
        from .profile import markdown

        count = f"{results['demo_ratings']:,}".replace(",", " ")
        lines += ["", f"Profiles ({results['database']}, {count} ratings; py-spy, both workers):", ""]
        lines += [markdown(name, p, p["path"]) for name, p in results["profiles"].items()]
    return "\n".join(lines) + "\n"


def scale_table(all_results) -> str:
    """Each route's ratio at the largest scale over its ratio at the smallest, per database: the
    budget is that a route keeps at least SCALE_BUDGET of its speed from 50 k to 5 M ratings."""
    lines = []
    for database in dict.fromkeys(r["database"] for r in all_results):
        runs = sorted((r for r in all_results if r["database"] == database), key=lambda r: r["demo_ratings"])
        if len(runs) < 2 or runs[0]["demo_ratings"] == runs[-1]["demo_ratings"]:
            continue
        small, large = runs[0], runs[-1]
        lines += [f"### {database}: {large['demo_ratings']:,} over {small['demo_ratings']:,} demo ratings"
                  .replace(",", " "), "",
                  "| route | ratio, small | ratio, large | large over small | budget |", "|---|---:|---:|---:|---:|"]
        for name, r in large["summary"].items():
            if name == "bare" or name not in small["summary"] or not small["summary"][name]["ratio"]:
                continue
            share = r["ratio"] / small["summary"][name]["ratio"]
            mark = ("— (reference)" if name in REFERENCES else
                    f"≥ {SCALE_BUDGET} {'met' if share >= SCALE_BUDGET else '**not met**'}")
            lines.append(f"| {name} | {small['summary'][name]['ratio']:.3f} | {r['ratio']:.3f} | {share:.2f} | {mark} |")
        lines.append("")
    return "\n".join(lines)


def write_report(all_results, args, command) -> None:
    docs = ROOT / "docs"
    docs.mkdir(exist_ok=True)
    info = {"date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "machine": machine(),
            "command": command, "settings": {"workers": args.workers, "worker_class": "sync",
                                             "wrk": f"-t2 -c8 -d{args.duration}s", "series": args.series,
                                             "rate_limits": "off", "FEEDBACK_ENV": "production",
                                             # passed through from the environment, e.g. NORMAL (README)
                                             "sqlite_synchronous": os.environ.get("FEEDBACK_SQLITE_SYNCHRONOUS", "FULL"),
                                             "warmup_seconds_per_route": args.warmup,
                                             "app_server_environment": app_server_environment()},
            "results": all_results}
    suffix = "-routes" if args.routes else "-quick" if args.quick else ""
    (docs / f"benchmarks{suffix}.json").write_text(json.dumps(info, indent=1, ensure_ascii=False) + "\n")
    head = ["# Benchmarks", "",
            f"Measured {info['date']} with `{command}` on {info['machine']['cpu']} ({info['machine']['cores']} cores, "
            f"{info['machine']['memory']}), Python {info['machine']['python']}; load average before: "
            f"{', '.join(f'{x:.1f}' for x in info['machine']['load_average_before'])}.",
            "",
            f"gunicorn with deploy/gunicorn.conf.py (sync workers, its recycling of workers, the access log "
            f"into /dev/null), {args.workers} workers, `FEEDBACK_ENV=production`, "
            f"{' '.join(f'`{k}={v}`' for k, v in app_server_environment().items())} (as "
            "deploy/systemd/feedback.service runs the app servers; the bare app too), rate limits off, SQLite "
            f"`synchronous={info['settings']['sqlite_synchronous']}`; wrk `-t2 -c8 "
            f"-d{args.duration}s`; {args.series} series, after {args.warmup} s of unmeasured load on each route (the writes first) "
            "(steady state: each worker's caches are warm). The two write routes run last in each series; "
            f"the reads resting on ratings ({', '.join(RATED)}) are warmed again, unmeasured, after them "
            "(every card a burst of ratings made new is made once), so each read is measured in its steady "
            "state; reads during a stream of ratings: benchmarks-history.md, \"Scorecards under a stream of "
            "ratings\". Every series measures the bare Flask JSON app "
            "(`bench/bare.py`, same gunicorn settings) first, and again for "
            f"{args.bare_duration} s just before and just after each route: the ratio is the route's requests/s over "
            "the mean of those two bare runs, so it holds on a noisy, shared machine "
            "where absolute numbers do not. \"bare write (reference)\" is the bare stack's write "
            "(`bench/bare_write.py`, same gunicorn settings, same database, tables of its own, driven like "
            "the API): Flask, one INSERT of a rating and one rollup upsert committed, nothing else; no budget, "
            "it tells what share of the bare route any durable write reaches on this machine. "
            "\"bare write through the app (reference)\" is that write served by the app in place of the API's "
            "rating view (`bench/app_write.py`, the app's settings and every hook it runs for a request), "
            "with none of the product's rules; no budget either. "
            "The poster's page and the rating forms are asked for as a phone asks (`Accept-Encoding: gzip, "
            "deflate, br`: sent compressed); the other routes send no such header. Random municipalities (rating "
            "forms, scorecards), unique "
            "`client_id`s (API POST) and CSRF-carrying form posts come from `bench/lua/`. SQL/request: the "
            "`X-SQL-Statements` header (`FEEDBACK_SQL_COUNT_HEADER=true`). Raw figures: "
            f"`docs/benchmarks{suffix}.json`. Earlier measurements, each change's before and after: "
            "[benchmarks-history.md](benchmarks-history.md).", ""]
    body = [table(r) for r in all_results] + [scale_table(all_results)]
    (docs / f"benchmarks{suffix}.md").write_text("\n".join(head + body))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="one series of 3 s, SQLite, 50 k ratings")
    parser.add_argument("--db", default=None, help="sqlite,postgresql (default: both; --quick: sqlite)")
    parser.add_argument("--scales", default=None, help="ratings, e.g. 50k,5M (default: both; --quick: 50k)")
    parser.add_argument("--series", type=int, default=None)
    parser.add_argument("--duration", type=int, default=None, help="seconds per wrk run")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--routes", default=None,
                        help="only these routes, comma-separated names (e.g. 'POST /api/v1/ratings,HTML form post')")
    parser.add_argument("--bare-duration", type=int, default=None,
                        help="seconds of the bare runs just before and after each route")
    parser.add_argument("--warmup", type=int, default=None, help="seconds of unmeasured load per route first (the writes first)")
    parser.add_argument("--postgres-url", default=os.environ.get("BENCH_POSTGRES_URL",
                                                                 "postgresql://postgres@127.0.0.1/feedback_bench{scale}"),
                        help="{scale} in it becomes 50k, 5m…: a database per scale (each seeded once)")
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL"))
    parser.add_argument("--lighthouse", default=os.environ.get("BENCH_LIGHTHOUSE"),
                        help="path of the lighthouse executable (npm); runs it on three Kyrgyz pages")
    parser.add_argument("--profile", default=None, metavar="DIR",
                        help="after the series, sample each route with py-spy: a flame graph per route in DIR and "
                             "its top functions in the report (bench/profile.py)")
    args = parser.parse_args(argv)
    args.db = args.db or ("sqlite" if args.quick else "sqlite,postgresql")
    args.scales = args.scales or ("50k" if args.quick else "50k,5M")
    args.series = args.series or (1 if args.quick else 3)
    args.duration = args.duration or (3 if args.quick else 10)
    args.bare_duration = args.bare_duration or (2 if args.quick else 3)
    args.warmup = (2 if args.quick else 5) if args.warmup is None else args.warmup
    command = "bench/run " + shlex.join(argv if argv is not None else sys.argv[1:])
    all_results = []
    for db in args.db.split(","):
        for scale in args.scales.split(","):
            all_results.append(bench_configuration(db, parse_count(scale), args, print))
            write_report(all_results, args, command)
    print()
    for r in all_results:
        print(table(r))
    print(scale_table(all_results))
    return 0


if __name__ == "__main__":
    sys.exit(main())

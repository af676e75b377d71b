"""The bench's report says, per database, whether each route keeps its speed from the small to the
large history (issue 15: at 5 M ratings at least 0.85 of itself at 50 k)."""
from bench.bench import SCALE_BUDGET, scale_table


def _run(database, ratings, **ratios):
    summary = {"bare": {"ratio": 1.0}}
    summary.update({name.replace("_", " "): {"ratio": ratio} for name, ratio in ratios.items()})
    return {"database": database, "demo_ratings": ratings, "summary": summary}


def test_each_route_large_over_small_per_database():
    runs = [_run("sqlite", 5_000_000, home=0.36, search=0.20), _run("sqlite", 50_000, home=0.40, search=0.30),
            _run("postgresql", 50_000, home=0.30)]
    report = scale_table(runs)
    assert "sqlite: 5 000 000 over 50 000" in report
    assert f"| home | 0.400 | 0.360 | 0.90 | ≥ {SCALE_BUDGET} met |" in report
    assert f"| search | 0.300 | 0.200 | 0.67 | ≥ {SCALE_BUDGET} **not met** |" in report
    assert "postgresql" not in report  # one scale only: nothing to compare
    assert "bare" not in report


def test_the_reference_writes_are_compared_across_scales_without_a_budget():
    """The bare stack's write, served bare or by the app, is not the product's write: shown from
    scale to scale, judged by no budget."""
    from bench.bench import APP_WRITE, BARE_WRITE

    runs = [_run("sqlite", 5_000_000, home=0.36), _run("sqlite", 50_000, home=0.40)]
    for name in (BARE_WRITE, APP_WRITE):
        runs[0]["summary"][name], runs[1]["summary"][name] = {"ratio": 0.20}, {"ratio": 0.34}
    report = scale_table(runs)
    assert f"| {BARE_WRITE} | 0.340 | 0.200 | 0.59 | — (reference) |" in report
    assert f"| {APP_WRITE} | 0.340 | 0.200 | 0.59 | — (reference) |" in report
    assert "**not met**" not in report


def test_profile_summary_shares_per_function():
    from bench.profile import markdown, summary

    worker = 'process 1:"gunicorn";process 2:"gunicorn";<module> (gunicorn:6);SyncWorker.handle (gunicorn/workers/sync.py:1)'
    collapsed = "\n".join([
        f"{worker};Flask.__call__ (flask/app.py:1);view (feedback/x.py:3);do_execute (sqlalchemy/engine/default.py:9) 6",
        f"{worker};Flask.__call__ (flask/app.py:2);view (feedback/x.py:4);render (jinja2/environment.py:1) 3",
        f"{worker};close_graceful (gunicorn/util.py:300) 1",
    ])
    result = summary(collapsed)
    assert result["samples"] == 10
    inclusive, own = dict(result["inclusive"]), dict(result["self"])
    assert inclusive["view (feedback/x.py)"] == 0.9  # one function, whatever its lines
    assert inclusive["do_execute (engine/default.py)"] == 0.6
    assert not any("gunicorn" in name or name.startswith("process") for name in inclusive)  # in every sample
    assert own == {"do_execute (engine/default.py)": 0.6, "render (jinja2/environment.py)": 0.3,
                   "close_graceful (gunicorn/util.py)": 0.1}
    assert "| view (feedback/x.py) | 90.0% |" in markdown("home", result, "docs/profiles/x.svg")


def test_a_postgresql_database_per_scale():
    from types import SimpleNamespace

    from bench.bench import database_url

    args = SimpleNamespace(postgres_url="postgresql://postgres@127.0.0.1/feedback_bench{scale}")
    assert database_url("postgresql", 50_000, args).endswith("/feedback_bench50k")
    assert database_url("postgresql", 5_000_000, args).endswith("/feedback_bench5m")
    assert database_url("sqlite", 5_000_000, args).endswith("instance/bench-5M.sqlite3")


def test_writes_last_and_the_reads_they_changed_made_again_after_the_context_interval(tmp_path, monkeypatch):
    """Each read is measured in its steady state: the write routes run last in a series, and a read
    resting on ratings is made again only once the shared context may have been recomputed."""
    from bench import bench

    routes = bench.Routes([("41702205805000", "LI-WATER")], tmp_path, "http://127.0.0.1:9", quick=False)
    kinds = [kind for _, kind, _ in routes.routes]
    assert kinds[-4:] == ["bare_write", "app_write", "api", "form"]
    assert "api" not in kinds[:-2] and "form" not in kinds[:-2]
    assert set(bench.RATED) <= {name for name, _, _ in routes.routes}

    clock, slept, calls = [100.0], [], []
    monkeypatch.setattr(bench.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(bench.time, "sleep", slept.append)
    monkeypatch.setattr(bench, "wrk", lambda *a, **k: calls.append("wrk") or {"requests": 0})
    monkeypatch.setattr(routes, "visit_each", lambda target: calls.append(("visit", target)))
    routes.measure("POST /api/v1/ratings", "api", None, 1, [])
    assert routes.last_write == 100.0
    clock[0] = 103.0
    routes.rewarm("paths", "scorecard_json", 1, [])
    assert slept == [bench.CONTEXT_SECONDS - 3.0]
    assert calls[-2:] == [("visit", "scorecard_json"), "wrk"]


def test_bench_ratings_come_as_residents_ratings_do(tmp_path):
    """make bench measures a resident's accepted rating under production's anti-abuse thresholds: the
    app trusts one proxy (wrk stands for nginx), each write script sends a rating from an address of
    its own, no threshold is raised, and the report counts any bench rating quarantined."""
    import sqlite3

    from bench import bench

    env = bench.production_env("sqlite:///x.sqlite3", 7510, None)
    assert (env["FEEDBACK_PROXY_COUNT"], env["FEEDBACK_TRUSTED_PROXIES"]) == ("1", "127.0.0.1")
    assert not [name for name in env if name.startswith("FEEDBACK_ABUSE_")]
    for script in ("api_rating.lua", "form_rating.lua"):
        request = (bench.ROOT / "bench" / "lua" / script).read_text().split("function request()")[1]
        assert '["X-Forwarded-For"] = address()' in request, script
    database = tmp_path / "ratings.sqlite3"
    with sqlite3.connect(database) as conn:
        conn.execute("CREATE TABLE rating (client_id TEXT, status TEXT)")
        conn.executemany("INSERT INTO rating VALUES (?, ?)", [
            ("bench-1", "accepted"), (None, "quarantined"), ("bench-2", "quarantined"), ("resident", "quarantined")])
    assert bench.stored_bench_ratings(f"sqlite:///{database}") == (3, 2)


def test_warm_up_writes_first_then_every_read_once_the_context_may_be_recomputed(tmp_path, monkeypatch):
    """Each route is measured in its steady state, the writes too: the warm-up posts ratings before
    the reads are warmed (at 4.86 M on SQLite the first seconds of writes ran at two thirds of the
    rate after them), and the reads resting on ratings are made after the shared context may have
    been recomputed; the ratings it posts are counted as acknowledged."""
    from bench import bench

    routes = bench.Routes([("41702205805000", "LI-WATER")], tmp_path, "http://127.0.0.1:9", quick=False)
    routes.files["credentials"] = routes._write("credentials.txt", ["session=x\ttoken\tstamp"] * 100)
    clock, calls = [100.0], []

    def wrk(url, duration, script=None, *a, **k):
        calls.append(("wrk", script.name if script else url.split(":9")[1], duration, url))
        clock[0] += duration
        return {"requests": 10, "acknowledged": 10} if script and "rating" in script.name else {"requests": 10}

    monkeypatch.setattr(bench.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(bench.time, "sleep", lambda s: calls.append(("sleep", s)) or clock.__setitem__(0, clock[0] + s))
    monkeypatch.setattr(bench, "wrk", wrk)
    monkeypatch.setattr(routes, "visit_each", lambda target: calls.append(("visit", target)))
    # The reference writes too, whose ratings are in tables of their own: not counted as the app's.
    assert routes.warm_up(3, []) == 20
    measured = [c for c in calls if c[0] == "wrk"]
    assert [c[1] for c in measured[:4]] == ["api_rating.lua"] * 3 + ["form_rating.lua"]
    assert measured[0][3] == f"http://127.0.0.1:{bench.BARE_WRITE_PORT}/"
    assert measured[1][3] == f"http://127.0.0.1:{bench.APP_WRITE_PORT}/"
    assert {c[2] for c in measured} == {3}
    read_routes = [r for r in routes.routes if r[1] in ("get", "paths")]
    assert len(measured) == 4 + len(read_routes)
    assert ("visit", "scorecard_json") in calls and ("visit", "forms") in calls
    # The first read waits until the context may be recomputed after the last rating (at 112).
    assert calls[4] == ("sleep", bench.CONTEXT_SECONDS)


def test_the_bare_write_stores_each_rating_and_its_rollup_before_it_answers(database_url, monkeypatch):
    """The reference write make bench reports (bench/bare_write.py) does what it claims, on the
    database under test: a rating and its rollup in one committed transaction per 201, a bad score
    refused, and its tables gone after the run."""
    from sqlalchemy import create_engine, inspect, text

    from bench import bare_write

    url = database_url.replace("postgresql+psycopg://", "postgresql://", 1)
    bare_write.drop_tables(url)
    bare_write.create_tables(url)
    monkeypatch.setenv("BARE_WRITE_URL", url)
    monkeypatch.setattr(bare_write, "_conn", None)
    client = bare_write.app.test_client()
    try:
        for i, overall in enumerate((4, 2, 5)):
            response = client.post("/api/v1/ratings", json={
                "municipality": "41702205805000", "subject": "LI-WATER" if i < 2 else "LI-ROADS",
                "overall": overall, "client_id": f"bench-bare-{i}"})
            assert response.status_code == 201 and response.get_json()["status"] == "accepted"
        assert client.post("/api/v1/ratings", json={"municipality": "41702205805000", "subject": "LI-WATER",
                                                    "overall": 9, "client_id": "bench-bare-9"}).status_code == 400
        engine = create_engine(database_url)  # another connection sees what was answered as stored
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM bare_rating")).scalar() == 3
            assert sorted(conn.execute(text("SELECT subject_code, n, total FROM bare_rollup")).all()) == [
                ("LI-ROADS", 1, 5), ("LI-WATER", 2, 6)]
    finally:
        bare_write.connection()[0].close()
        bare_write.drop_tables(url)
    assert not {"bare_rating", "bare_rollup"} & set(inspect(engine).get_table_names())
    engine.dispose()


def test_the_bare_write_through_the_app_stores_each_rating_and_its_rollup_before_it_answers(app, database_url):
    """The second reference write (bench/app_write.py) is the bare write behind the app's own request
    handling: each 201 answered once its rating and rollup are committed (by the app, as it commits a
    view's answer), a bad score refused, and the product's ratings untouched."""
    from sqlalchemy import create_engine, text

    from bench import app_write, bare_write
    from feedback.db import db

    url = database_url.replace("postgresql+psycopg://", "postgresql://", 1)
    bare_write.drop_tables(url)
    bare_write.create_tables(url)
    served = app_write.create({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "k" * 40,
                               "RATELIMIT_ENABLED": False, "SQL_COUNT_HEADER": True})
    client = served.test_client()
    engine = create_engine(database_url)  # another connection sees what was answered as stored
    try:
        with engine.connect() as conn:
            ratings = conn.execute(text("SELECT count(*) FROM rating")).scalar()
        for i, overall in enumerate((4, 2, 5)):
            response = client.post("/api/v1/ratings", json={
                "municipality": "41702205805000", "subject": "LI-WATER" if i < 2 else "LI-ROADS",
                "overall": overall, "client_id": f"bench-app-{i}"})
            assert response.status_code == 201 and response.get_json()["status"] == "accepted"
            assert "X-SQL-Statements" in response.headers  # answered through the app's own hooks
        assert client.post("/api/v1/ratings", json={"municipality": "41702205805000", "subject": "LI-WATER",
                                                    "overall": 9, "client_id": "bench-app-9"}).status_code == 400
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM bare_rating")).scalar() == 3
            assert sorted(conn.execute(text("SELECT subject_code, n, total FROM bare_rollup")).all()) == [
                ("LI-ROADS", 1, 5), ("LI-WATER", 2, 6)]
            assert conn.execute(text("SELECT count(*) FROM rating")).scalar() == ratings
    finally:
        with served.app_context():
            db.engine.dispose()
        engine.dispose()
        bare_write.drop_tables(url)


def test_the_reference_writes_are_neither_counted_nor_profiled_and_their_app_is_ready_when_healthy(
        tmp_path, monkeypatch):
    """The reference writes are not the product's: no SQL count asked of them, no flame graph made
    of them; and the app that serves one is ready, like the app, once /healthz answers (its
    database too), the bare apps once / does."""
    import types

    from bench import bench, profile

    routes = bench.Routes([("41702205805000", "LI-WATER")], tmp_path, "http://127.0.0.1:9", quick=False)
    asked = []
    monkeypatch.setattr(bench.urllib.request, "build_opener", lambda *a: asked.append(a))
    for name, kind in bench.REFERENCES.items():
        assert routes.sql_statements(kind, f"http://127.0.0.1:{bench.APP_WRITE_PORT}/", []) is None, name
    assert asked == []

    routes.routes = [r for r in routes.routes if r[1] in bench.REFERENCE_KINDS]
    monkeypatch.setattr(profile, "record", lambda *a: asked.append(("record", a)) or [])
    monkeypatch.setattr(routes, "measure", lambda *a: asked.append(("measure", a)) or {})
    args = types.SimpleNamespace(profile=str(tmp_path), duration=1)
    assert bench.profile_routes(routes, [], types.SimpleNamespace(pid=1), "sqlite", 50_000, args, print) == ({}, 0)
    assert asked == []

    opened = []
    monkeypatch.setattr(bench.subprocess, "Popen", lambda *a, **k: types.SimpleNamespace(pid=1))
    monkeypatch.setattr(bench.urllib.request, "urlopen", lambda url, timeout: opened.append(url))
    for module in ("wsgi:app", bench.APP_WRITE_MODULE, "bench.bare:app", "bench.bare_write:app"):
        bench.start([], module, 9, {})
    assert opened == ["http://127.0.0.1:9/healthz"] * 2 + ["http://127.0.0.1:9/"] * 2

"""What every worker pays at start-up: the app's import leaves out the libraries that only a few
routes or commands use (each worker's memory; docs/benchmarks.md, "Worker RSS")."""
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Imported where they are used: the SMS notices' encryption (8 MB of bindings), the spreadsheet
# export, the migrations.
ON_DEMAND = ("cryptography", "openpyxl", "alembic")


def test_creating_the_app_does_not_import_what_few_routes_use(tmp_path):
    env = {**os.environ, "FEEDBACK_ENV": "development", "DATABASE_URL": f"sqlite:///{tmp_path / 'app.sqlite3'}"}
    env.pop("REDIS_URL", None)
    out = subprocess.run([sys.executable, "-c", "import sys; from wsgi import app; "
                          f"print(' '.join(m for m in {ON_DEMAND!r} if m in sys.modules))"],
                         cwd=ROOT, env=env, capture_output=True, text=True, check=True).stdout
    assert out.split() == []


def test_an_app_server_runs_optimized_with_compiled_translations(tmp_path):
    """deploy/systemd/feedback.service runs the workers with PYTHONOPTIMIZE=2 (no docstrings in
    memory); make bench and the two-server test take the same settings from it; `make production`
    (the README's step for each app server) compiles the translations and the byte code for it. Under
    those settings the app serves its pages in Kyrgyz and Russian."""
    from bench.bench import app_server_environment

    assert app_server_environment() == {"PYTHONOPTIMIZE": "2"}
    steps = subprocess.run(["make", "-n", "production"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert "i18n compile" in steps and "-OO -m compileall" in steps
    env = {**os.environ, **app_server_environment(), "FEEDBACK_ENV": "development",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'app.sqlite3'}"}
    env.pop("REDIS_URL", None)
    code = ("import sys\nfrom wsgi import app\nfrom feedback import create_app\nfrom feedback.db import db\n"
            "with app.app_context():\n    db.create_all()\n"  # each request then gets its own context (and g)
            "client = app.test_client()\n"
            "print(sys.flags.optimize, create_app.__doc__, "
            "*(client.get(p).status_code for p in ('/ky/', '/ru/', '/ky/methodology', '/api/v1/catalog')), "
            "'Айыл өкмөтүңүзгө үнүңүз' in client.get('/ky/').get_data(as_text=True), "
            "'Ваш голос для вашего айыл окмоту' in client.get('/ru/').get_data(as_text=True))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True).stdout
    assert out.split() == ["2", "None", "200", "200", "200", "200", "True", "True"]


def test_app_servers_recycle_workers_rarely_and_the_bench_serves_as_they_do(monkeypatch):
    """A new worker imports the app (about 1.2 s of CPU) and refills its caches, while a kept page
    costs a fraction of a millisecond: recycled every 2,000 requests (deploy/gunicorn.conf.py until
    session 26), the workers served the home page at a sixth of their rate with a p99 of 2.6 s
    (docs/performance.md). The settings: sync workers (what the bench measures), recycled after a
    million requests or so; make bench and the two-server test serve with the same file."""
    import runpy

    from bench import bench

    for name in [n for n in os.environ if n.startswith("GUNICORN_")]:
        monkeypatch.delenv(name)
    settings = runpy.run_path(str(bench.GUNICORN_CONF))
    assert settings["worker_class"] == "sync"
    assert settings["max_requests"] >= 500_000 and 0 < settings["max_requests_jitter"] < settings["max_requests"]
    service = (bench.ROOT / "deploy" / "systemd" / "feedback.service").read_text()
    assert "gunicorn -c deploy/gunicorn.conf.py wsgi:app" in service

    started = {}

    def popen(cmd, env, **kwargs):
        started.update(cmd=cmd, env=env)
        raise RuntimeError("not started")

    monkeypatch.setattr(bench.subprocess, "Popen", popen)
    try:
        bench.gunicorn("bench.bare:app", 5899, {}, 2)
    except RuntimeError:
        pass
    assert started["cmd"][1:3] == ["-c", str(bench.GUNICORN_CONF)]
    assert (started["env"]["GUNICORN_WORKERS"], started["env"]["GUNICORN_BIND"]) == ("2", "127.0.0.1:5899")

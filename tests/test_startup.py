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

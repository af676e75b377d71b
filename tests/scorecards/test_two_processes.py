"""One truth on every process: two separate application processes on one database both report a
new rating's n on their very next request (no per-process copy of anything a scorecard shows).

The processes share a SQLite file of their own (they commit; the suite's database stays clean)."""
import json
import os
import subprocess
import sys

from feedback import create_app
from feedback.db import db
from tests.conftest import ROOT, migrate

AK_BULUN = "41702205805000"


def _worker(url):
    return subprocess.Popen([sys.executable, "-m", "tests.scorecards.worker", url], cwd=ROOT, text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env={**os.environ, "FLASK_DEBUG": "0"})


def _ask(process, line: str) -> dict:
    process.stdin.write(line + "\n")
    process.stdin.flush()
    return json.loads(process.stdout.readline())


def test_two_processes_report_the_new_n_on_their_next_request(tmp_path):
    url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    setup = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "setup-secret"})
    migrate(setup)
    from feedback.catalog.services import load_catalog
    from feedback.territory.services import load_registry

    with setup.app_context():
        load_registry()
        load_catalog()
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    first, second = _worker(url), _worker(url)
    try:
        before = [_ask(p, f"get {AK_BULUN}")["n"] for p in (first, second)]  # both have served a scorecard
        assert before == [0, 0]
        for score in (4, 5, 3, 4, 5, 2, 4, 4, 5, 3, 4):  # eleven residents (each worker request is a new one)
            assert _ask(first, f"rate {AK_BULUN} LI-WATER {score}")["status"] == 201
            after = [_ask(p, f"get {AK_BULUN}") for p in (first, second)]
            assert after[0]["n"] == after[1]["n"] == before[0] + 1
            before = [after[0]["n"]]
            assert after[0] == after[1]  # the same index and position too: one shared context
        assert after[0]["n"] == 11 and after[0]["index"] is not None
    finally:
        for process in (first, second):
            process.stdin.close()
            process.wait(timeout=30)

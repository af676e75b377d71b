"""Online SQLite backup while ratings are being written, and a restore that finds every rating
that was stored before the backup and a valid audit chain (with its checkpoint)."""
import sqlite3
import threading

import pytest
from sqlalchemy import select

from feedback import create_app
from feedback.audit import services as audit
from feedback.db import db
from feedback.ratings.models import Rating
from tests.scratch import scratch_app

pytestmark = pytest.mark.scratch_db
AK_BULUN = "41702205805000"
SUBJECTS = ("LI-WATER", "LI-ROADS", "LI-LIGHT", "LI-WASTE")


def rate(app, i: int) -> int:
    with app.app_context():
        answer = app.test_client().post("/api/v1/ratings", json={
            "municipality": AK_BULUN, "subject": SUBJECTS[i % len(SUBJECTS)], "overall": 1 + i % 5,
            "client_id": f"backup-test-{i:06d}"}, environ_base={"REMOTE_ADDR": f"10.9.{i // 200}.{i % 200}"})
        assert answer.status_code == 201, answer.get_data(as_text=True)
        return answer.get_json()["id"]


def test_backup_while_writing_then_restore(app, database_url, tmp_path):
    with scratch_app("sqlite://", tmp_path, "i13_backup", reference_data=True, template=database_url) as live:
        stored = [rate(live, i) for i in range(20)]
        with live.app_context():
            for i in range(10):
                audit.record("test.action", "thing", i, actor_id=None)
                db.session.commit()
            audit.write_checkpoint()
        stop = threading.Event()
        during: list[int] = []

        def keep_rating():
            i = 1000
            while not stop.is_set() and i < 1200:
                during.append(rate(live, i))
                i += 1

        writer = threading.Thread(target=keep_rating)
        writer.start()
        backup = tmp_path / "backup.sqlite3"
        try:
            result = live.test_cli_runner().invoke(args=["backup", "create", str(backup)])
        finally:
            stop.set()
            writer.join()
        assert result.exit_code == 0, result.output
        in_backup = {row[0] for row in sqlite3.connect(backup).execute("SELECT id FROM rating")}
        assert set(stored) <= in_backup  # everything acknowledged before the backup began

        restored = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'restored.sqlite3'}",
                               "SECRET_KEY": live.config["SECRET_KEY"], "RATELIMIT_ENABLED": False,
                               "AUDIT_CHECKPOINT_FILE": str(tmp_path / "restored-checkpoints.jsonl")})
        result = restored.test_cli_runner().invoke(args=["backup", "restore", "--yes", str(backup)])
        assert result.exit_code == 0, result.output
        with restored.app_context():
            ids = set(db.session.scalars(select(Rating.id)))
            check = audit.verify()
            db.engine.dispose()
        assert ids == in_backup
        assert check.ok and check.checked == 10 and check.checkpoints == 1
        assert restored.test_cli_runner().invoke(args=["audit", "verify"]).exit_code == 0


def test_postgresql_is_refused_with_a_pointer(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": "postgresql://postgres@127.0.0.1:7399/none", "SECRET_KEY": "k" * 40})
    result = app.test_cli_runner().invoke(args=["backup", "create", str(tmp_path / "x")])
    assert result.exit_code == 1 and "pg_dump" in result.output



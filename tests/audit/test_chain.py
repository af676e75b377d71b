"""The audit log under concurrency and attack: writers serialised, entries keyed, head anchored
outside the table (a signed checkpoint file)."""
import hashlib
import json
import threading

import pytest
from sqlalchemy import delete, select, text, update

from feedback.audit import services
from feedback.audit.models import AuditEntry
from feedback.db import db
from tests.scratch import scratch_app

WRITERS, ACTIONS = 20, 200


def _concurrent_actions(app) -> list[BaseException]:
    errors: list[BaseException] = []
    barrier = threading.Barrier(WRITERS)

    def writer(number: int) -> None:
        barrier.wait()
        for i in range(number, ACTIONS, WRITERS):
            try:
                with app.app_context():
                    services.record("test.approve", "rating", i, actor_id=None, after={"n": i})
                    db.session.commit()
                    db.session.remove()
            except BaseException as exc:  # noqa: BLE001  (collected and reported by the test)
                errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.fixture(scope="module")
def chain_app(database_url, tmp_path_factory):
    with scratch_app(database_url, tmp_path_factory.mktemp("audit"), "i13_audit") as app:
        errors = _concurrent_actions(app)
        assert not errors, errors[:3]
        yield app


@pytest.fixture
def ctx(chain_app):
    with chain_app.app_context():
        yield chain_app
        db.session.rollback()
        db.session.remove()


pytestmark = pytest.mark.scratch_db


def test_concurrent_writers_leave_an_unbroken_chain(ctx):
    result = services.verify()
    assert result.ok and result.checked == ACTIONS
    prev_hashes = db.session.scalars(select(AuditEntry.prev_hash)).all()
    assert len(set(prev_hashes)) == len(prev_hashes) == ACTIONS  # no fork: one successor per entry


def test_verify_detects_an_edit(ctx):
    target = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id).offset(50).limit(1)).one()
    db.session.execute(text("UPDATE audit_entry SET after = :after WHERE id = :id"), {"after": '{"n":-1}', "id": target.id})
    db.session.expire_all()
    assert services.verify().broken.id == target.id


def test_rehashing_without_the_key_is_detected(ctx):
    """Re-hashing with SHA-256 (the old, unkeyed function) from an edited row on breaks the chain."""
    entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    prev = entries[9].hash
    for entry in entries[10:]:
        entry.after = '{"n":0}' if entry is entries[10] else entry.after
        payload = json.dumps([prev, entry.at.isoformat(), entry.actor_id, entry.action, entry.entity,
                              entry.entity_id, entry.before, entry.after], sort_keys=True, separators=(",", ":"))
        entry.prev_hash, entry.hash = prev, hashlib.sha256(payload.encode()).hexdigest()
        prev = entry.hash
    db.session.flush()
    assert services.verify().broken.id == entries[10].id


def _rehash_from(entries, start: int) -> None:
    """What someone who can run the application's code would do: re-hash with its own function and key."""
    prev = entries[start - 1].hash
    for entry in entries[start:]:
        entry.prev_hash = prev
        entry.hash = services.entry_hash(prev, entry.at, entry.actor_id, entry.action, entry.entity, entry.entity_id,
                                         entry.before, entry.after)
        prev = entry.hash
    db.session.flush()


def test_rehashing_with_the_apps_function_is_caught_by_the_checkpoint(ctx, tmp_path):
    checkpoints = tmp_path / "checkpoints.jsonl"
    services.write_checkpoint(checkpoints)
    assert services.verify(checkpoints).ok
    entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    entries[100].after = '{"n":"forged"}'
    _rehash_from(entries, 100)
    assert services.verify_chain()[1] is None  # the chain alone cannot tell...
    result = services.verify(checkpoints)
    assert not result.ok and "no longer has the hash it had" in result.problems[0]  # ...the anchor can


def test_truncation_is_caught_by_the_checkpoint(ctx, tmp_path):
    checkpoints = tmp_path / "checkpoints.jsonl"
    services.write_checkpoint(checkpoints)
    newest = db.session.scalars(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(5)).all()
    db.session.execute(delete(AuditEntry).where(AuditEntry.id.in_(newest)))
    result = services.verify(checkpoints)
    assert result.broken is None  # what remains is a valid chain...
    assert f"counted {ACTIONS} entries; only {ACTIONS - 5} remain" in result.problems[0]  # ...but shorter


def test_a_forged_checkpoint_is_refused(ctx, tmp_path):
    checkpoints = tmp_path / "checkpoints.jsonl"
    line = services.write_checkpoint(checkpoints)
    checkpoints.write_text(json.dumps({**line, "count": line["count"] - 5}) + "\n")
    assert "bad signature" in services.verify(checkpoints).problems[0]


def test_verify_and_checkpoint_commands(ctx, tmp_path):
    checkpoints = str(tmp_path / "cli.jsonl")
    runner = ctx.test_cli_runner()
    assert runner.invoke(args=["audit", "checkpoint", "--file", checkpoints]).exit_code == 0
    result = runner.invoke(args=["audit", "verify", "--file", checkpoints])
    assert result.exit_code == 0 and f"{ACTIONS} entries, 1 checkpoints match" in result.output
    db.session.execute(update(AuditEntry).where(AuditEntry.id == db.session.scalar(select(AuditEntry.id).limit(1)))
                       .values(action="forged"))
    db.session.commit()
    try:
        result = runner.invoke(args=["audit", "verify", "--file", checkpoints])
        assert result.exit_code == 1 and "audit chain broken at entry" in result.output
    finally:
        db.session.execute(update(AuditEntry).where(AuditEntry.action == "forged").values(action="test.approve"))
        db.session.commit()

"""`flask backup create PATH` / `flask backup restore PATH`: online backups of a SQLite database.

SQLite's backup API copies a consistent snapshot while the application keeps serving (readers and
writers go on; the copy restarts its pages if a writer changes them). Restoring copies the backup
into the configured database, page by page and inside its lock; stop the app servers first, then
run ``flask audit verify`` (the audit checkpoint file is backed up and restored beside the database).
PostgreSQL is backed up with its own tools (README, "Backups").
"""
import shutil
import sqlite3
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from .db import db

backup_cli = AppGroup("backup", help="Online backup and restore of a SQLite database.")


def sqlite_path() -> Path:
    url = db.engine.url
    if url.get_backend_name() != "sqlite" or not url.database:
        raise click.ClickException("backup create/restore are for a SQLite file; back PostgreSQL up with "
                                   "pg_dump -Fc and restore with pg_restore (README, 'Backups')")
    return Path(url.database)


def _checkpoints() -> Path:
    from .audit.services import checkpoint_file

    return checkpoint_file()


def create_backup(target: Path) -> None:
    source = sqlite3.connect(sqlite_path())
    destination = sqlite3.connect(target)
    try:
        with destination:
            source.backup(destination)
    finally:
        destination.close()
        source.close()
    if _checkpoints().exists():
        shutil.copyfile(_checkpoints(), target.with_name(target.name + ".audit-checkpoints.jsonl"))


def restore_backup(source_path: Path) -> None:
    db.engine.dispose()
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
    destination = sqlite3.connect(sqlite_path())
    try:
        source.backup(destination)
    finally:
        destination.close()
        source.close()
    saved = source_path.with_name(source_path.name + ".audit-checkpoints.jsonl")
    if saved.exists():
        _checkpoints().parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(saved, _checkpoints())


@backup_cli.command("create")
@click.argument("target", type=click.Path(path_type=Path, dir_okay=False))
def create_command(target: Path):
    """Copy the live database (and the audit checkpoints) to TARGET while the site keeps running."""
    if target.exists():
        raise click.ClickException(f"{target} exists; choose a new file")
    create_backup(target)
    click.echo(f"backup written to {target}")


@backup_cli.command("restore")
@click.argument("source", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--yes", is_flag=True, help="Do not ask: the current database is replaced.")
def restore_command(source: Path, yes: bool):
    """Replace the configured database by the backup SOURCE (stop the app servers first)."""
    if not yes:
        click.confirm(f"Replace {sqlite_path()} with {source}?", abort=True)
    restore_backup(source)
    current_app.logger.info("database restored from a backup")
    click.echo(f"restored from {source}; now run: flask audit verify")

"""Commands: loading reference data, and the translation workflow (`flask --help`)."""
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from .datafiles import DataFileError, LoadReport
from .db import db

territory_cli = AppGroup("territory", help="The territorial registry (SOATE).")
catalog_cli = AppGroup("catalog", help="The catalog of subjects, criteria, indicators and the checklist.")


def _run_load(load, *args, **kwargs) -> LoadReport:
    try:
        report = load(*args, **kwargs)
    except DataFileError as exc:
        db.session.rollback()
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        raise click.ClickException(f"{len(exc.problems)} problem(s); nothing was changed") from None
    db.session.commit()
    for line in report.lines():
        click.echo(line)
    return report


@territory_cli.command("load")
@click.option("--registry", type=click.Path(path_type=Path), help="SOATE file (default: the shipped 2021 registry).")
@click.option("--names", type=click.Path(path_type=Path), help="Kyrgyz names file (soate,name_ru,name_ky,name_ky_full,method,confidence).")
@click.option("--corrections", type=click.Path(path_type=Path), help="Name corrections (soate,name_ky,name_ru).")
@click.option("--mapping", type=click.Path(path_type=Path), help="Merges and renames: old_code,new_code,date.")
def territory_load(registry, names, corrections, mapping):
    """Create or update the registry (idempotent). With a newer registry and --mapping, record merges."""
    from .territory.services import RegistryFiles, load_registry

    defaults = RegistryFiles()
    files = RegistryFiles(
        registry=registry or defaults.registry, reference=defaults.reference,
        names_ky=names or defaults.names_ky, corrections=corrections or defaults.corrections,
    )
    _run_load(load_registry, files, mapping=mapping)


@catalog_cli.command("load")
@click.option("--data-dir", type=click.Path(path_type=Path, file_okay=False), help="Folder with the catalog CSV files.")
def catalog_load(data_dir):
    """Create or update the catalog (idempotent)."""
    from .catalog.services import DATA_DIR, load_catalog

    _run_load(load_catalog, data_dir or DATA_DIR)


@click.command("load-reference-data")
def load_reference_data():
    """Load the registry and the catalog that ship with the application."""
    from .catalog.services import load_catalog
    from .territory.services import load_registry

    _run_load(load_registry)
    _run_load(load_catalog)
    from .channels.cli import short_codes; short_codes.callback()  # noqa: E702, I001


def init_app(app: Flask) -> None:
    from .accounts.cli import users_cli
    from .answers.cli import answers_cli
    from .audit.cli import audit_cli
    from .backup import backup_cli
    from .channels.cli import channels_cli
    from .i18n_tools import i18n_cli
    from .ratings.cli import privacy_cli
    from .scorecards.cli import demo_cli, scorecards_cli

    for command in (territory_cli, catalog_cli, load_reference_data, i18n_cli, audit_cli, users_cli,
                    scorecards_cli, demo_cli, channels_cli, answers_cli, privacy_cli, backup_cli):
        app.cli.add_command(command)
    from .compare.cli import opendata_cli; app.cli.add_command(opendata_cli)  # noqa: E702, I001

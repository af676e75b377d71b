"""`flask opendata dump`: the documented open-data dump of a period."""
from pathlib import Path

import click
from flask.cli import AppGroup

opendata_cli = AppGroup("opendata", help="Open data: anonymised dumps with a data dictionary.")


@opendata_cli.command("dump")
@click.option("--period", type=int, multiple=True, help="Year (repeatable); default: every year with data.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder (default: the one the open-data page serves: FEEDBACK_OPENDATA_DIR, else the instance folder's opendata/).")
def dump_command(period, out):
    """Write feedback-opendata-<year>.zip for each period."""
    from . import opendata
    from .views import dump_folder, periods_with_data

    folder = out or dump_folder()
    periods = list(period) or sorted(periods_with_data())
    for year in periods:
        with click.progressbar(length=opendata.STEPS, label=f"{year}") as bar:
            path, stats = opendata.dump(year, folder, progress=lambda _name: bar.update(1))
        click.echo(f"{path}: {stats['released']} of {stats['ratings']} ratings released, "
                   f"{stats['suppressed']} suppressed, coarsened {dict(stats['coarsened'])}")

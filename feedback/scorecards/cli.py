"""`flask scorecards …` and `flask demo …`."""
import json
import sys
import time

import click
from flask.cli import AppGroup

from ..db import db

scorecards_cli = AppGroup("scorecards", help="Aggregates and methodology.")
demo_cli = AppGroup("demo", help="Demonstration data, clearly marked as such.")


@scorecards_cli.command("rebuild")
@click.option("--dry-run", is_flag=True, help="Only report the differences; change nothing.")
def rebuild_command(dry_run: bool):
    """Recompute the aggregates from the raw ratings and report any difference."""
    from . import aggregates, channel_aggregates, queries

    # The differences are found in SQL (only the rows that disagree are read), as the rebuild is done.
    by_channel = channel_aggregates.CHANNELS.differences()
    if dry_run:
        found = (aggregates.RATINGS.differences(), aggregates.CRITERIA.differences(),
                 aggregates.ADDRESS_COUNTS.differences())
    else:
        found = aggregates.rebuild_aggregates()
        db.session.commit()
    for name, rows in zip(("rating_aggregate", "criterion_aggregate", "address_count", "channel_aggregate"),
                          (*found, by_channel), strict=True):
        for key, stored, recomputed in rows[:20]:
            click.echo(f"{name} {key}: stored {stored} recomputed {recomputed}")
        if len(rows) > 20:
            click.echo(f"{name}: … and {len(rows) - 20} more")
        click.echo(f"{name}: {len(rows)} difference(s)")
    totals = queries.aggregate_totals()
    click.echo(f"{totals['rows']} aggregate rows, {totals['accepted']} accepted and {totals['quarantined']} "
               f"quarantined ratings{' (not rebuilt: dry run)' if dry_run else ''}")


@scorecards_cli.group("methodology")
def methodology_cli():
    """Versions of the scoring methodology."""


@methodology_cli.command("show")
@click.option("--version", "version", type=int, default=None)
def methodology_show(version):
    from . import methodology

    params = methodology.get(version)
    click.echo(f"version {params.version} ({'published' if params.published_at else 'built-in, not yet stored'})")
    click.echo(json.dumps(params.values, indent=2, sort_keys=True))


@methodology_cli.command("publish")
@click.option("--parameters", "parameters", type=click.File("r"), default=None,
              help="JSON file with the parameters that change (the rest are the defaults).")
@click.option("--notes", default="", help="What changed and why.")
def methodology_publish(parameters, notes):
    """Publish a new methodology version (version 1, the defaults, if none is stored yet)."""
    from . import methodology

    values = json.load(parameters) if parameters else None
    try:
        params = methodology.publish(values, notes=notes)
    except methodology.MethodologyError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"published methodology version {params.version}")


@demo_cli.command("seed")
@click.option("--seed", "seed_value", type=int, default=2025, show_default=True)
@click.option("--scale", type=float, default=1.0, show_default=True, help="Multiply the number of ratings.")
@click.option("--if-absent", is_flag=True, help="Do nothing when demonstration data is already there.")
def demo_seed(seed_value, scale, if_absent):
    """Generate two years of synthetic ratings and final state evaluations (replaces earlier demo data)."""
    from . import demo

    if if_absent and demo.demo_present():
        click.echo("demonstration data is already there (`flask demo clear` removes it)")
        return
    db.session.rollback()  # the look-up's read ends: the seed is its own transaction's first work
    started = time.monotonic()
    with _Phases() as progress:
        counts = demo.seed(seed_value=seed_value, scale=scale, progress=progress)
        progress("commit", 0, 1)
        db.session.commit()
        progress("commit", 1, 1)
    click.echo(f"demonstration data for {counts['periods']}: {counts['ratings']} ratings "
               f"({counts['quarantined']} quarantined), {counts['criterion_scores']} criterion scores, "
               f"{counts['respondents']} respondents, {counts['evaluations']} final state evaluations, "
               f"{counts['answers']} answers to {counts['published_comments']} published comments, "
               f"{counts['budget_priorities']} budget priorities "
               f"in {time.monotonic() - started:.1f} s")


class _Phases:
    """``progress(phase, done, total)`` shown as one progress bar per phase on stderr (on a terminal
    it moves; elsewhere one line at its start), each phase's time printed when it ends."""

    def __init__(self):
        self.phase = self.bar = None
        self.started = 0.0

    def __enter__(self):
        return self

    def __call__(self, phase: str, done: int, total: int) -> None:
        if phase != self.phase:
            self._end()
            self.phase, self.started = phase, time.monotonic()
            self.bar = click.progressbar(length=max(1, total), label=f"{phase:<13}", file=sys.stderr,
                                         show_pos=total > 1, width=30)
            self.bar.__enter__()
        self.bar.length = max(1, total)
        self.bar.update(max(0, done - self.bar.pos))

    def _end(self) -> None:
        if self.bar is not None:
            self.bar.update(self.bar.length - self.bar.pos)
            self.bar.__exit__(None, None, None)
            click.echo(f"  {self.phase}: {time.monotonic() - self.started:.1f} s", err=True)
            self.bar = None

    def __exit__(self, *exc):
        if exc[0] is None:
            self._end()
        elif self.bar is not None:
            self.bar.__exit__(*exc)


@demo_cli.command("clear")
def demo_clear():
    """Remove all demonstration data."""
    from . import demo

    counts = demo.clear()
    db.session.commit()
    click.echo("removed: " + ", ".join(f"{v} {k}" for k, v in counts.items()))

"""`flask audit verify` and `flask audit checkpoint`: the keyed hash chain and its anchor outside the database."""
from pathlib import Path

import click
from flask.cli import AppGroup

from .services import checkpoint_file, verify, write_checkpoint

audit_cli = AppGroup("audit", help="The keyed, hash-chained audit log.")

FILE_OPTION = click.option("--file", "path", type=click.Path(path_type=Path),
                           help="Checkpoint file (default: AUDIT_CHECKPOINT_FILE, else instance/audit-checkpoints.jsonl).")


@audit_cli.command("verify")
@FILE_OPTION
def verify_command(path):
    """Recompute the chain with the key and match every checkpoint; exit 1 naming what does not match."""
    result = verify(path)
    if result.broken is not None:
        broken = result.broken
        raise click.ClickException(f"audit chain broken at entry {broken.id} ({broken.action} {broken.entity} "
                                   f"{broken.entity_id}); {result.checked} entries before it are intact")
    if result.problems:
        raise click.ClickException("; ".join(result.problems))
    click.echo(f"audit chain intact: {result.checked} entries, {result.checkpoints} checkpoints match")


@audit_cli.command("checkpoint")
@FILE_OPTION
def checkpoint_command(path):
    """Append the signed count and head hash to the checkpoint file (run it periodically, copy the file off the server)."""
    line = write_checkpoint(path)
    click.echo(f"checkpoint: {line['count']} entries, head {line['head'][:16]}… written to {path or checkpoint_file()}")

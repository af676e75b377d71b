"""write path: the anti-abuse windows' indexes on updated_at; registry_version gives way to cache_version

Revision ID: s17_i15
Revises: s17_i8
Create Date: 2026-12-02 03:00:00

The burst rules count a municipality's and an address's ratings by ``updated_at``; the index was on
``created_at`` and there was none by address, so every rating scanned the table. The search index
keys on the shared ``cache_version`` (feedback/cache.py) like every other cache of the registry, so
the separate ``registry_version`` token of issue 9 goes.
"""
import uuid

import sqlalchemy as sa
from alembic import op

revision = "s17_i15"
down_revision = "s17_i8"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("rating", schema=None) as batch_op:
        batch_op.drop_index("ix_rating_burst")
        batch_op.create_index("ix_rating_burst", ["municipality_code", "updated_at"], unique=False)
        batch_op.create_index("ix_rating_address_recent", ["address_hash", "updated_at"], unique=False)
    op.drop_table("registry_version")


def downgrade() -> None:
    version = op.create_table(
        "registry_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_version")),
    )
    op.execute(version.insert().values(id=1, token=uuid.uuid4().hex, changed_at=sa.func.now()))
    with op.batch_alter_table("rating", schema=None) as batch_op:
        batch_op.drop_index("ix_rating_address_recent")
        batch_op.drop_index("ix_rating_burst")
        batch_op.create_index("ix_rating_burst", ["municipality_code", "created_at"], unique=False)

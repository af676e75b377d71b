"""cache version: the shared version of the reference data that keys every process's cached pages

Revision ID: i15_cache_version
Revises: f449a9811e4c
Create Date: 2026-12-02 01:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "i15_cache_version"
down_revision = "i13_reliability"
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table(
        "cache_version",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_cache_version")),
    )
    op.bulk_insert(table, [{"name": "reference", "version": 1}])


def downgrade() -> None:
    op.drop_table("cache_version")

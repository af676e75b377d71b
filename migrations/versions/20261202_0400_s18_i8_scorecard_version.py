"""scorecard version: the shared version of every rarer input of the kept scorecards and comparisons
(state evaluations, methodology, the tracks' tables, comments' moderation); see scorecards/kept.py

Revision ID: s18_i8_scorecard_version
Revises: s17_i28
Create Date: 2026-12-02 04:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "s18_i8_scorecard_version"
down_revision = "s17_i28"
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = sa.table("cache_version", sa.column("name", sa.String), sa.column("version", sa.Integer))
    op.bulk_insert(table, [{"name": "scorecard", "version": 1}])


def downgrade() -> None:
    op.execute("DELETE FROM cache_version WHERE name = 'scorecard'")

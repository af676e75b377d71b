"""Per-channel aggregates (channel_aggregate): the numbers of the scorecard's channel switch, filled
from the ratings already stored (the same sums ``flask scorecards rebuild`` computes).

Revision ID: s17_i14
Revises: s17_i10
Create Date: 2026-12-02 03:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = 's17_i14'
down_revision = 's17_i10'
branch_labels = None
depends_on = None

COLUMNS = ("n", "total", "total_sq", "n1", "n2", "n3", "n4", "n5",
           "n_verified", "total_verified", "total_sq_verified", "n_quarantined")


def upgrade() -> None:
    op.create_table('channel_aggregate',
    sa.Column('municipality_code', sa.String(length=14), nullable=False),
    sa.Column('subject_code', sa.String(length=40), nullable=False),
    sa.Column('channel', sa.String(length=12), nullable=False),
    sa.Column('period', sa.Integer(), autoincrement=False, nullable=False),
    *(sa.Column(name, sa.Integer(), nullable=False) for name in COLUMNS),
    sa.ForeignKeyConstraint(['municipality_code'], ['municipality.code'], name=op.f('fk_channel_aggregate_municipality_code_municipality')),
    sa.ForeignKeyConstraint(['subject_code'], ['subject.code'], name=op.f('fk_channel_aggregate_subject_code_subject')),
    sa.PrimaryKeyConstraint('municipality_code', 'subject_code', 'channel', 'period', name=op.f('pk_channel_aggregate'))
    )
    accepted = "status = 'accepted'"
    verified = f"{accepted} AND verified"
    sums = [f"SUM(CASE WHEN {accepted} THEN 1 ELSE 0 END)", f"SUM(CASE WHEN {accepted} THEN overall ELSE 0 END)",
            f"SUM(CASE WHEN {accepted} THEN overall * overall ELSE 0 END)",
            *(f"SUM(CASE WHEN {accepted} AND overall = {k} THEN 1 ELSE 0 END)" for k in range(1, 6)),
            f"SUM(CASE WHEN {verified} THEN 1 ELSE 0 END)", f"SUM(CASE WHEN {verified} THEN overall ELSE 0 END)",
            f"SUM(CASE WHEN {verified} THEN overall * overall ELSE 0 END)",
            f"SUM(CASE WHEN {accepted} THEN 0 ELSE 1 END)"]
    keys = "municipality_code, subject_code, channel, period"
    statement = " ".join(("INSERT INTO channel_aggregate (", keys, ",", ", ".join(COLUMNS), ") SELECT", keys, ",",
                          ", ".join(sums), "FROM rating GROUP BY", keys))
    op.execute(statement)


def downgrade() -> None:
    op.drop_table('channel_aggregate')

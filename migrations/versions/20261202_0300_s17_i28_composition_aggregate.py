"""The scorecard's sample composition as aggregates (composition_aggregate: accepted ratings per
municipality, period, channel and sex or age band, filled from the ratings already stored, the counts
`flask scorecards rebuild` computes), and scorecard_context.stamp (a process reuses its parse of a
stored context only while the row carries the stamp it parsed), and an index of a municipality's
comments by moderation status (the scorecard's comments and responsiveness track read them on every
request).

Revision ID: s17_i28
Revises: s17_i24
Create Date: 2026-12-02 03:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = 's17_i28'
down_revision = 's17_i24'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('composition_aggregate',
    sa.Column('municipality_code', sa.String(length=14), nullable=False),
    sa.Column('period', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('channel', sa.String(length=12), nullable=False),
    sa.Column('dimension', sa.String(length=10), nullable=False),
    sa.Column('value', sa.String(length=10), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['municipality_code'], ['municipality.code'], name=op.f('fk_composition_aggregate_municipality_code_municipality')),
    sa.PrimaryKeyConstraint('municipality_code', 'period', 'channel', 'dimension', 'value', name=op.f('pk_composition_aggregate'))
    )
    for dimension in ("sex", "age_band"):  # column names, constants
        statement = ("INSERT INTO composition_aggregate (municipality_code, period, channel, dimension, value, n) "  # noqa: S608
                     f"SELECT municipality_code, period, channel, '{dimension}', COALESCE({dimension}, ''), COUNT(*) "
                     "FROM rating WHERE status = 'accepted' "
                     f"GROUP BY municipality_code, period, channel, COALESCE({dimension}, '')")
        op.execute(statement)
    with op.batch_alter_table('scorecard_context', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stamp', sa.String(length=16), server_default='', nullable=False))
    with op.batch_alter_table('rating', schema=None) as batch_op:
        batch_op.create_index('ix_rating_comments', ['municipality_code', 'comment_status', 'period'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('rating', schema=None) as batch_op:
        batch_op.drop_index('ix_rating_comments')
    with op.batch_alter_table('scorecard_context', schema=None) as batch_op:
        batch_op.drop_column('stamp')
    op.drop_table('composition_aggregate')

"""Scorecards: respondent cluster sums, period counters and the shared scorecard context

Revision ID: i8_scorecard_context
Revises: f449a9811e4c
"""
from alembic import op
import sqlalchemy as sa


revision = 'i8_scorecard_context'
down_revision = 'f449a9811e4c'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'cluster_aggregate',
        sa.Column('municipality_code', sa.String(length=14), nullable=False),
        sa.Column('period', sa.Integer(), nullable=False),
        sa.Column('respondents', sa.Integer(), nullable=False),
        sa.Column('n_sq', sa.Integer(), nullable=False),
        sa.Column('y_sq', sa.Integer(), nullable=False),
        sa.Column('ny', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['municipality_code'], ['municipality.code'],
                                name=op.f('fk_cluster_aggregate_municipality_code_municipality')),
        sa.PrimaryKeyConstraint('municipality_code', 'period', name=op.f('pk_cluster_aggregate')),
    )
    op.create_table(
        'period_counter',
        sa.Column('period', sa.Integer(), nullable=False),
        sa.Column('counter', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('period', name=op.f('pk_period_counter')),
    )
    op.create_table(
        'scorecard_context',
        sa.Column('period', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('verified', sa.Boolean(), nullable=False),
        sa.Column('counter', sa.Integer(), nullable=False),
        sa.Column('payload', sa.Text(), nullable=False),
        sa.Column('computed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('computing_since', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('period', 'version', 'verified', name=op.f('pk_scorecard_context')),
    )


def downgrade() -> None:
    op.drop_table('scorecard_context')
    op.drop_table('period_counter')
    op.drop_table('cluster_aggregate')

"""Scorecards: a rating counter per municipality and period (the card's own key, beside the period's)

Revision ID: s19_i4_unit_counter
Revises: s18_i8_scorecard_version
"""
from alembic import op
import sqlalchemy as sa


revision = 's19_i4_unit_counter'
down_revision = 's18_i8_scorecard_version'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # No rows to fill: an absent row reads as 0, and the counter only has to change with each rating.
    op.create_table(
        'unit_counter',
        sa.Column('municipality_code', sa.String(length=14), nullable=False),
        sa.Column('period', sa.Integer(), nullable=False),
        sa.Column('counter', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('municipality_code', 'period', name=op.f('pk_unit_counter')),
    )


def downgrade() -> None:
    op.drop_table('unit_counter')

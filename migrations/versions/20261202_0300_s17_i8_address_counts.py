"""Scorecards: distinct client addresses kept by the aggregates (per address, and the counts)

The methodology's ``min_distinct_addresses`` was checked by reading every rating of the period; the
counts are now kept in step with the ratings. The upgrade fills both tables from the ratings.

Revision ID: s17_i8
Revises: s17_i14
"""
from alembic import op
import sqlalchemy as sa


revision = 's17_i8'
down_revision = "s17_i14"
branch_labels = None
depends_on = None

def upgrade() -> None:
    op.create_table(
        'address_aggregate',
        sa.Column('municipality_code', sa.String(length=14), nullable=False),
        sa.Column('period', sa.Integer(), nullable=False),
        sa.Column('address_hash', sa.String(length=64), nullable=False),
        sa.Column('subject_code', sa.String(length=40), nullable=False),
        sa.Column('n', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['municipality_code'], ['municipality.code'],
                                name=op.f('fk_address_aggregate_municipality_code_municipality')),
        sa.PrimaryKeyConstraint('municipality_code', 'period', 'address_hash', 'subject_code',
                                name=op.f('pk_address_aggregate')),
    )
    op.create_table(
        'address_count',
        sa.Column('period', sa.Integer(), nullable=False),
        sa.Column('municipality_code', sa.String(length=14), nullable=False),
        sa.Column('subject_code', sa.String(length=40), nullable=False),
        sa.Column('addresses', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['municipality_code'], ['municipality.code'],
                                name=op.f('fk_address_count_municipality_code_municipality')),
        sa.PrimaryKeyConstraint('period', 'municipality_code', 'subject_code', name=op.f('pk_address_count')),
    )
    op.execute("""INSERT INTO address_aggregate (municipality_code, period, address_hash, subject_code, n)
        SELECT municipality_code, period, address_hash, subject_code, COUNT(*) FROM rating
        WHERE status = 'accepted' AND address_hash IS NOT NULL AND address_hash <> ''
        GROUP BY municipality_code, period, address_hash, subject_code""")
    op.execute("""INSERT INTO address_aggregate (municipality_code, period, address_hash, subject_code, n)
        SELECT municipality_code, period, address_hash, '', COUNT(*) FROM rating
        WHERE status = 'accepted' AND address_hash IS NOT NULL AND address_hash <> ''
        GROUP BY municipality_code, period, address_hash""")
    # Distinct known addresses, plus one for each rating with no known address.
    op.execute("""INSERT INTO address_count (municipality_code, period, subject_code, addresses)
        SELECT municipality_code, period, subject_code,
               COUNT(DISTINCT CASE WHEN address_hash IS NULL OR address_hash = '' THEN NULL ELSE address_hash END)
               + SUM(CASE WHEN address_hash IS NULL OR address_hash = '' THEN 1 ELSE 0 END)
        FROM rating WHERE status = 'accepted' GROUP BY municipality_code, period, subject_code""")
    op.execute("""INSERT INTO address_count (municipality_code, period, subject_code, addresses)
        SELECT municipality_code, period, '',
               COUNT(DISTINCT CASE WHEN address_hash IS NULL OR address_hash = '' THEN NULL ELSE address_hash END)
               + SUM(CASE WHEN address_hash IS NULL OR address_hash = '' THEN 1 ELSE 0 END)
        FROM rating WHERE status = 'accepted' GROUP BY municipality_code, period""")


def downgrade() -> None:
    op.drop_table('address_count')
    op.drop_table('address_aggregate')

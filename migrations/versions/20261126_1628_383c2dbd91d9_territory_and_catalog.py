"""territory and catalog

Revision ID: 383c2dbd91d9
Revises:
Create Date: 2026-11-26 16:28:13.515340
"""
from alembic import op
import sqlalchemy as sa


revision = '383c2dbd91d9'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('agency',
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('short_ky', sa.String(length=200), nullable=False),
    sa.Column('short_ru', sa.String(length=200), nullable=False),
    sa.Column('name_ky', sa.String(length=200), nullable=False),
    sa.Column('name_ru', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_agency'))
    )
    op.create_table('criterion',
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('question_ky', sa.String(length=2000), nullable=False),
    sa.Column('question_ru', sa.String(length=2000), nullable=False),
    sa.Column('applies_to', sa.String(length=20), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name_ky', sa.String(length=200), nullable=False),
    sa.Column('name_ru', sa.String(length=200), nullable=False),
    sa.CheckConstraint("applies_to IN ('local_issue', 'municipal_service', 'both')", name=op.f('ck_criterion_applies_to')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_criterion'))
    )
    op.create_table('region',
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('iso_code', sa.String(length=8), nullable=True),
    sa.Column('population', sa.Integer(), nullable=True),
    sa.Column('code', sa.String(length=14), nullable=False),
    sa.Column('name_ky', sa.String(length=200), nullable=False),
    sa.Column('name_ru', sa.String(length=200), nullable=False),
    sa.Column('search_key', sa.String(length=600), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.CheckConstraint("kind IN ('oblast', 'city_republican')", name=op.f('ck_region_kind')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_region'))
    )
    op.create_table('state_indicator',
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('description_ky', sa.String(length=2000), nullable=False),
    sa.Column('description_ru', sa.String(length=2000), nullable=False),
    sa.Column('scale', sa.String(length=20), nullable=False),
    sa.Column('counts_toward_lsg_score', sa.Boolean(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name_ky', sa.String(length=200), nullable=False),
    sa.Column('name_ru', sa.String(length=200), nullable=False),
    sa.CheckConstraint("scale IN ('1-5', 'yes/partial/no')", name=op.f('ck_state_indicator_scale')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_state_indicator'))
    )
    op.create_table('transparency_item',
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('area', sa.Integer(), nullable=False),
    sa.Column('evidence_hint_ky', sa.String(length=2000), nullable=False),
    sa.Column('evidence_hint_ru', sa.String(length=2000), nullable=False),
    sa.Column('answer_scale', sa.String(length=100), nullable=False),
    sa.Column('weight', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name_ky', sa.String(length=200), nullable=False),
    sa.Column('name_ru', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_transparency_item'))
    )
    op.create_table('criterion_level',
    sa.Column('criterion_code', sa.String(length=40), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('description_ky', sa.String(length=2000), nullable=False),
    sa.Column('description_ru', sa.String(length=2000), nullable=False),
    sa.CheckConstraint('level BETWEEN 1 AND 5', name=op.f('ck_criterion_level_level')),
    sa.ForeignKeyConstraint(['criterion_code'], ['criterion.code'], name=op.f('fk_criterion_level_criterion_code_criterion')),
    sa.PrimaryKeyConstraint('criterion_code', 'level', name=op.f('pk_criterion_level'))
    )
    op.create_table('district',
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('region_code', sa.String(length=14), nullable=False),
    sa.Column('population', sa.Integer(), nullable=True),
    sa.Column('code', sa.String(length=14), nullable=False),
    sa.Column('name_ky', sa.String(length=200), nullable=False),
    sa.Column('name_ru', sa.String(length=200), nullable=False),
    sa.Column('search_key', sa.String(length=600), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.CheckConstraint("kind IN ('raion', 'city')", name=op.f('ck_district_kind')),
    sa.ForeignKeyConstraint(['region_code'], ['region.code'], name=op.f('fk_district_region_code_region')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_district'))
    )
    with op.batch_alter_table('district', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_district_region_code'), ['region_code'], unique=False)

    op.create_table('subject',
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('description_ky', sa.String(length=2000), nullable=False),
    sa.Column('description_ru', sa.String(length=2000), nullable=False),
    sa.Column('applies_to', sa.String(length=20), nullable=False),
    sa.Column('agency_code', sa.String(length=40), nullable=True),
    sa.Column('legal_basis', sa.String(length=2000), nullable=False),
    sa.Column('confidence', sa.String(length=20), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('retired', sa.Boolean(), nullable=False),
    sa.Column('name_ky', sa.String(length=200), nullable=False),
    sa.Column('name_ru', sa.String(length=200), nullable=False),
    sa.CheckConstraint("applies_to IN ('aiyl_okmotu', 'city', 'both')", name=op.f('ck_subject_applies_to')),
    sa.CheckConstraint("kind IN ('local_issue', 'municipal_service', 'delegated_power')", name=op.f('ck_subject_kind')),
    sa.ForeignKeyConstraint(['agency_code'], ['agency.code'], name=op.f('fk_subject_agency_code_agency')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_subject'))
    )
    with op.batch_alter_table('subject', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_subject_kind'), ['kind'], unique=False)

    op.create_table('municipality',
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('short_name_ky', sa.String(length=200), nullable=False),
    sa.Column('short_name_ru', sa.String(length=200), nullable=False),
    sa.Column('region_code', sa.String(length=14), nullable=False),
    sa.Column('district_code', sa.String(length=14), nullable=True),
    sa.Column('population', sa.Integer(), nullable=True),
    sa.Column('name_ky_derived', sa.Boolean(), nullable=False),
    sa.Column('name_ky_method', sa.String(length=200), nullable=False),
    sa.Column('successor_code', sa.String(length=14), nullable=True),
    sa.Column('code', sa.String(length=14), nullable=False),
    sa.Column('name_ky', sa.String(length=200), nullable=False),
    sa.Column('name_ru', sa.String(length=200), nullable=False),
    sa.Column('search_key', sa.String(length=600), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.CheckConstraint("kind IN ('aiyl_aimak', 'city')", name=op.f('ck_municipality_kind')),
    sa.ForeignKeyConstraint(['district_code'], ['district.code'], name=op.f('fk_municipality_district_code_district')),
    sa.ForeignKeyConstraint(['region_code'], ['region.code'], name=op.f('fk_municipality_region_code_region')),
    sa.ForeignKeyConstraint(['successor_code'], ['municipality.code'], name=op.f('fk_municipality_successor_code_municipality')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_municipality'))
    )
    with op.batch_alter_table('municipality', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_municipality_district_code'), ['district_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_municipality_region_code'), ['region_code'], unique=False)

    op.create_table('village',
    sa.Column('municipality_code', sa.String(length=14), nullable=False),
    sa.Column('population', sa.Integer(), nullable=True),
    sa.Column('name_ky_derived', sa.Boolean(), nullable=False),
    sa.Column('name_ky_method', sa.String(length=200), nullable=False),
    sa.Column('code', sa.String(length=14), nullable=False),
    sa.Column('name_ky', sa.String(length=200), nullable=False),
    sa.Column('name_ru', sa.String(length=200), nullable=False),
    sa.Column('search_key', sa.String(length=600), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['municipality_code'], ['municipality.code'], name=op.f('fk_village_municipality_code_municipality')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_village'))
    )
    with op.batch_alter_table('village', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_village_municipality_code'), ['municipality_code'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('village', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_village_municipality_code'))

    op.drop_table('village')
    with op.batch_alter_table('municipality', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_municipality_region_code'))
        batch_op.drop_index(batch_op.f('ix_municipality_district_code'))

    op.drop_table('municipality')
    with op.batch_alter_table('subject', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_subject_kind'))

    op.drop_table('subject')
    with op.batch_alter_table('district', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_district_region_code'))

    op.drop_table('district')
    op.drop_table('criterion_level')
    op.drop_table('transparency_item')
    op.drop_table('state_indicator')
    op.drop_table('region')
    op.drop_table('criterion')
    op.drop_table('agency')

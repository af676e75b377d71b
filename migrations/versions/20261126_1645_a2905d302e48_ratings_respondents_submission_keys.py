"""ratings, respondents, submission keys

Revision ID: a2905d302e48
Revises: 383c2dbd91d9
Create Date: 2026-11-26 16:45:30.964984
"""
from alembic import op
import sqlalchemy as sa


revision = 'a2905d302e48'
down_revision = '383c2dbd91d9'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('respondent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('phone_hash', sa.String(length=64), nullable=True),
    sa.Column('phone_verified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_respondent')),
    sa.UniqueConstraint('phone_hash', name=op.f('uq_respondent_phone_hash')),
    sa.UniqueConstraint('token', name=op.f('uq_respondent_token'))
    )
    op.create_table('phone_verification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('respondent_id', sa.Integer(), nullable=False),
    sa.Column('phone_hash', sa.String(length=64), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['respondent_id'], ['respondent.id'], name=op.f('fk_phone_verification_respondent_id_respondent')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_phone_verification'))
    )
    with op.batch_alter_table('phone_verification', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_phone_verification_phone_hash'), ['phone_hash'], unique=False)
        batch_op.create_index(batch_op.f('ix_phone_verification_respondent_id'), ['respondent_id'], unique=False)

    op.create_table('rating',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('respondent_id', sa.Integer(), nullable=False),
    sa.Column('municipality_code', sa.String(length=14), nullable=False),
    sa.Column('subject_code', sa.String(length=40), nullable=False),
    sa.Column('period', sa.Integer(), nullable=False),
    sa.Column('overall', sa.Integer(), nullable=False),
    sa.Column('comment', sa.String(length=1000), nullable=True),
    sa.Column('comment_status', sa.String(length=20), nullable=True),
    sa.Column('comment_flags', sa.String(length=100), nullable=False),
    sa.Column('sex', sa.String(length=10), nullable=True),
    sa.Column('age_band', sa.String(length=10), nullable=True),
    sa.Column('village_code', sa.String(length=14), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('quarantine_rule', sa.String(length=40), nullable=True),
    sa.Column('verified', sa.Boolean(), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('client_id', sa.String(length=64), nullable=True),
    sa.Column('address_hash', sa.String(length=64), nullable=False),
    sa.Column('replacements', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("comment_status IS NULL OR comment_status IN ('pending', 'approved', 'rejected')", name=op.f('ck_rating_comment_status')),
    sa.CheckConstraint("status IN ('accepted', 'quarantined')", name=op.f('ck_rating_status')),
    sa.CheckConstraint('overall BETWEEN 1 AND 5', name=op.f('ck_rating_overall')),
    sa.ForeignKeyConstraint(['municipality_code'], ['municipality.code'], name=op.f('fk_rating_municipality_code_municipality')),
    sa.ForeignKeyConstraint(['respondent_id'], ['respondent.id'], name=op.f('fk_rating_respondent_id_respondent')),
    sa.ForeignKeyConstraint(['subject_code'], ['subject.code'], name=op.f('fk_rating_subject_code_subject')),
    sa.ForeignKeyConstraint(['village_code'], ['village.code'], name=op.f('fk_rating_village_code_village')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rating')),
    sa.UniqueConstraint('respondent_id', 'municipality_code', 'subject_code', 'period', name=op.f('uq_rating_respondent_id_municipality_code_subject_code_period'))
    )
    with op.batch_alter_table('rating', schema=None) as batch_op:
        batch_op.create_index('ix_rating_burst', ['municipality_code', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_rating_respondent_id'), ['respondent_id'], unique=False)
        batch_op.create_index('ix_rating_scope', ['municipality_code', 'subject_code', 'period', 'status'], unique=False)

    op.create_table('criterion_score',
    sa.Column('rating_id', sa.Integer(), nullable=False),
    sa.Column('criterion_code', sa.String(length=40), nullable=False),
    sa.Column('score', sa.Integer(), nullable=True),
    sa.CheckConstraint('score IS NULL OR score BETWEEN 1 AND 5', name=op.f('ck_criterion_score_score')),
    sa.ForeignKeyConstraint(['criterion_code'], ['criterion.code'], name=op.f('fk_criterion_score_criterion_code_criterion')),
    sa.ForeignKeyConstraint(['rating_id'], ['rating.id'], name=op.f('fk_criterion_score_rating_id_rating'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('rating_id', 'criterion_code', name=op.f('pk_criterion_score'))
    )
    op.create_table('submission_key',
    sa.Column('client_id', sa.String(length=64), nullable=False),
    sa.Column('rating_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['rating_id'], ['rating.id'], name=op.f('fk_submission_key_rating_id_rating'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('client_id', name=op.f('pk_submission_key'))
    )
    with op.batch_alter_table('submission_key', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submission_key_rating_id'), ['rating_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('submission_key', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submission_key_rating_id'))

    op.drop_table('submission_key')
    op.drop_table('criterion_score')
    with op.batch_alter_table('rating', schema=None) as batch_op:
        batch_op.drop_index('ix_rating_scope')
        batch_op.drop_index(batch_op.f('ix_rating_respondent_id'))
        batch_op.drop_index('ix_rating_burst')

    op.drop_table('rating')
    with op.batch_alter_table('phone_verification', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_phone_verification_respondent_id'))
        batch_op.drop_index(batch_op.f('ix_phone_verification_phone_hash'))

    op.drop_table('phone_verification')
    op.drop_table('respondent')

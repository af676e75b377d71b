"""accounts, periods, state evaluation, audit, moderation, aggregates, methodology

Revision ID: 9127aac168ed
Revises: a2905d302e48
Create Date: 2026-11-26 17:05:09.970273
"""
from alembic import op
import sqlalchemy as sa


revision = '9127aac168ed'
down_revision = 'a2905d302e48'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('period',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.CheckConstraint("status IN ('open', 'closed')", name=op.f('ck_period_status')),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_period'))
    )
    op.create_table('criterion_aggregate',
    sa.Column('municipality_code', sa.String(length=14), nullable=False),
    sa.Column('subject_code', sa.String(length=40), nullable=False),
    sa.Column('criterion_code', sa.String(length=40), nullable=False),
    sa.Column('period', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('total_sq', sa.Integer(), nullable=False),
    sa.Column('n_unknown', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['criterion_code'], ['criterion.code'], name=op.f('fk_criterion_aggregate_criterion_code_criterion')),
    sa.ForeignKeyConstraint(['municipality_code'], ['municipality.code'], name=op.f('fk_criterion_aggregate_municipality_code_municipality')),
    sa.ForeignKeyConstraint(['subject_code'], ['subject.code'], name=op.f('fk_criterion_aggregate_subject_code_subject')),
    sa.PrimaryKeyConstraint('municipality_code', 'subject_code', 'criterion_code', 'period', name=op.f('pk_criterion_aggregate'))
    )
    op.create_table('rating_aggregate',
    sa.Column('municipality_code', sa.String(length=14), nullable=False),
    sa.Column('subject_code', sa.String(length=40), nullable=False),
    sa.Column('period', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('total_sq', sa.Integer(), nullable=False),
    sa.Column('n1', sa.Integer(), nullable=False),
    sa.Column('n2', sa.Integer(), nullable=False),
    sa.Column('n3', sa.Integer(), nullable=False),
    sa.Column('n4', sa.Integer(), nullable=False),
    sa.Column('n5', sa.Integer(), nullable=False),
    sa.Column('n_verified', sa.Integer(), nullable=False),
    sa.Column('total_verified', sa.Integer(), nullable=False),
    sa.Column('total_sq_verified', sa.Integer(), nullable=False),
    sa.Column('n_quarantined', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['municipality_code'], ['municipality.code'], name=op.f('fk_rating_aggregate_municipality_code_municipality')),
    sa.ForeignKeyConstraint(['subject_code'], ['subject.code'], name=op.f('fk_rating_aggregate_subject_code_subject')),
    sa.PrimaryKeyConstraint('municipality_code', 'subject_code', 'period', name=op.f('pk_rating_aggregate'))
    )
    op.create_table('user_account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('municipality_code', sa.String(length=14), nullable=True),
    sa.Column('agency_code', sa.String(length=40), nullable=True),
    sa.Column('region_code', sa.String(length=14), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('totp_secret', sa.String(length=64), nullable=True),
    sa.Column('totp_enabled', sa.Boolean(), nullable=False),
    sa.Column('failed_logins', sa.Integer(), nullable=False),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('password_changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("role IN ('admin', 'moderator', 'lsg_staff', 'state_evaluator', 'monitor', 'analyst')", name=op.f('ck_user_account_role')),
    sa.ForeignKeyConstraint(['agency_code'], ['agency.code'], name=op.f('fk_user_account_agency_code_agency')),
    sa.ForeignKeyConstraint(['municipality_code'], ['municipality.code'], name=op.f('fk_user_account_municipality_code_municipality')),
    sa.ForeignKeyConstraint(['region_code'], ['region.code'], name=op.f('fk_user_account_region_code_region')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_account')),
    sa.UniqueConstraint('email', name=op.f('uq_user_account_email'))
    )
    op.create_table('audit_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=60), nullable=False),
    sa.Column('entity', sa.String(length=60), nullable=False),
    sa.Column('entity_id', sa.String(length=60), nullable=False),
    sa.Column('before', sa.Text(), nullable=False),
    sa.Column('after', sa.Text(), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_audit_entry_actor_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entry')),
    sa.UniqueConstraint('hash', name=op.f('uq_audit_entry_hash'))
    )
    op.create_table('methodology',
    sa.Column('version', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('parameters', sa.Text(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['published_by'], ['user_account.id'], name=op.f('fk_methodology_published_by_user_account')),
    sa.PrimaryKeyConstraint('version', name=op.f('pk_methodology'))
    )
    op.create_table('state_evaluation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('municipality_code', sa.String(length=14), nullable=False),
    sa.Column('subject_code', sa.String(length=40), nullable=False),
    sa.Column('period', sa.Integer(), nullable=False),
    sa.Column('agency_code', sa.String(length=40), nullable=False),
    sa.Column('evaluator_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('comment', sa.String(length=2000), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finalised_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('draft', 'submitted', 'final')", name=op.f('ck_state_evaluation_status')),
    sa.ForeignKeyConstraint(['agency_code'], ['agency.code'], name=op.f('fk_state_evaluation_agency_code_agency')),
    sa.ForeignKeyConstraint(['evaluator_id'], ['user_account.id'], name=op.f('fk_state_evaluation_evaluator_id_user_account')),
    sa.ForeignKeyConstraint(['municipality_code'], ['municipality.code'], name=op.f('fk_state_evaluation_municipality_code_municipality')),
    sa.ForeignKeyConstraint(['period'], ['period.year'], name=op.f('fk_state_evaluation_period_period')),
    sa.ForeignKeyConstraint(['subject_code'], ['subject.code'], name=op.f('fk_state_evaluation_subject_code_subject')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_state_evaluation')),
    sa.UniqueConstraint('municipality_code', 'subject_code', 'period', name=op.f('uq_state_evaluation_municipality_code_subject_code_period'))
    )
    with op.batch_alter_table('state_evaluation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_state_evaluation_agency_code'), ['agency_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_state_evaluation_municipality_code'), ['municipality_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_state_evaluation_period'), ['period'], unique=False)

    op.create_table('user_municipality',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('municipality_code', sa.String(length=14), nullable=False),
    sa.ForeignKeyConstraint(['municipality_code'], ['municipality.code'], name=op.f('fk_user_municipality_municipality_code_municipality')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_user_municipality_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'municipality_code', name=op.f('pk_user_municipality'))
    )
    op.create_table('user_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('second_factor_done', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('user_agent', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_user_session_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_session')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_user_session_token_hash'))
    )
    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_session_user_id'), ['user_id'], unique=False)

    op.create_table('evidence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
    sa.Column('url', sa.String(length=500), nullable=True),
    sa.Column('filename', sa.String(length=200), nullable=True),
    sa.Column('content_type', sa.String(length=100), nullable=True),
    sa.Column('size', sa.Integer(), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=True),
    sa.Column('data', sa.LargeBinary(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['evaluation_id'], ['state_evaluation.id'], name=op.f('fk_evidence_evaluation_id_state_evaluation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence'))
    )
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evidence_evaluation_id'), ['evaluation_id'], unique=False)

    op.create_table('indicator_score',
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
    sa.Column('indicator_code', sa.String(length=40), nullable=False),
    sa.Column('score', sa.Integer(), nullable=True),
    sa.Column('answer', sa.String(length=10), nullable=True),
    sa.Column('comment', sa.String(length=2000), nullable=False),
    sa.CheckConstraint("answer IS NULL OR answer IN ('yes', 'partial', 'no')", name=op.f('ck_indicator_score_answer')),
    sa.CheckConstraint('score IS NULL OR score BETWEEN 1 AND 5', name=op.f('ck_indicator_score_score')),
    sa.ForeignKeyConstraint(['evaluation_id'], ['state_evaluation.id'], name=op.f('fk_indicator_score_evaluation_id_state_evaluation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['indicator_code'], ['state_indicator.code'], name=op.f('fk_indicator_score_indicator_code_state_indicator')),
    sa.PrimaryKeyConstraint('evaluation_id', 'indicator_code', name=op.f('pk_indicator_score'))
    )
    op.create_table('lsg_response',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('body', sa.String(length=2000), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('answer', 'contest')", name=op.f('ck_lsg_response_kind')),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_lsg_response_author_id_user_account')),
    sa.ForeignKeyConstraint(['evaluation_id'], ['state_evaluation.id'], name=op.f('fk_lsg_response_evaluation_id_state_evaluation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lsg_response'))
    )
    with op.batch_alter_table('lsg_response', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lsg_response_evaluation_id'), ['evaluation_id'], unique=False)

    with op.batch_alter_table('rating', schema=None) as batch_op:
        batch_op.add_column(sa.Column('comment_moderated_by', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('comment_moderated_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('comment_rejection_reason', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('quarantine_decision', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('quarantine_reviewed_by', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('quarantine_reviewed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_rating_quarantine_reviewed_by_user_account'), 'user_account', ['quarantine_reviewed_by'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_rating_comment_moderated_by_user_account'), 'user_account', ['comment_moderated_by'], ['id'])



def downgrade() -> None:
    with op.batch_alter_table('rating', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_rating_comment_moderated_by_user_account'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_rating_quarantine_reviewed_by_user_account'), type_='foreignkey')
        batch_op.drop_column('quarantine_reviewed_at')
        batch_op.drop_column('quarantine_reviewed_by')
        batch_op.drop_column('quarantine_decision')
        batch_op.drop_column('comment_rejection_reason')
        batch_op.drop_column('comment_moderated_at')
        batch_op.drop_column('comment_moderated_by')

    with op.batch_alter_table('lsg_response', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lsg_response_evaluation_id'))

    op.drop_table('lsg_response')
    op.drop_table('indicator_score')
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evidence_evaluation_id'))

    op.drop_table('evidence')
    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_session_user_id'))

    op.drop_table('user_session')
    op.drop_table('user_municipality')
    with op.batch_alter_table('state_evaluation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_state_evaluation_period'))
        batch_op.drop_index(batch_op.f('ix_state_evaluation_municipality_code'))
        batch_op.drop_index(batch_op.f('ix_state_evaluation_agency_code'))

    op.drop_table('state_evaluation')
    op.drop_table('methodology')
    op.drop_table('audit_entry')
    op.drop_table('user_account')
    op.drop_table('rating_aggregate')
    op.drop_table('criterion_aggregate')
    op.drop_table('period')

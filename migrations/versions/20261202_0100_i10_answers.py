"""Answers of local governments to residents' comments, promised actions, residents' judgements and
the SMS outbox (issue 10).

Revision ID: i10_answers
Revises: f449a9811e4c
Create Date: 2026-12-02 01:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'i10_answers'
down_revision = "i11_transparency"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('municipality_code', sa.String(length=14), nullable=False),
    sa.Column('subject_code', sa.String(length=40), nullable=True),
    sa.Column('criterion_code', sa.String(length=40), nullable=True),
    sa.Column('period', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('body', sa.String(length=2000), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('promise', sa.String(length=2000), nullable=True),
    sa.Column('promise_due', sa.Date(), nullable=True),
    sa.Column('promise_status', sa.String(length=10), nullable=True),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('done_note', sa.String(length=2000), nullable=True),
    sa.Column('done_by', sa.Integer(), nullable=True),
    sa.Column('photo_name', sa.String(length=200), nullable=True),
    sa.Column('photo_type', sa.String(length=100), nullable=True),
    sa.Column('photo_sha256', sa.String(length=64), nullable=True),
    sa.Column('photo_data', sa.LargeBinary(), nullable=True),
    sa.CheckConstraint("kind IN ('reply', 'commitment')", name=op.f('ck_answer_kind')),
    sa.CheckConstraint("language IN ('ky', 'ru')", name=op.f('ck_answer_language')),
    sa.CheckConstraint("promise_status IS NULL OR promise_status IN ('promised', 'done')", name=op.f('ck_answer_promise_status')),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_answer_author_id_user_account')),
    sa.ForeignKeyConstraint(['criterion_code'], ['criterion.code'], name=op.f('fk_answer_criterion_code_criterion')),
    sa.ForeignKeyConstraint(['done_by'], ['user_account.id'], name=op.f('fk_answer_done_by_user_account')),
    sa.ForeignKeyConstraint(['municipality_code'], ['municipality.code'], name=op.f('fk_answer_municipality_code_municipality')),
    sa.ForeignKeyConstraint(['subject_code'], ['subject.code'], name=op.f('fk_answer_subject_code_subject')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_answer'))
    )
    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_answer_municipality_code'), ['municipality_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_answer_period'), ['period'], unique=False)

    op.create_table('answer_judgement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('answer_id', sa.Integer(), nullable=False),
    sa.Column('rating_id', sa.Integer(), nullable=False),
    sa.Column('respondent_id', sa.Integer(), nullable=False),
    sa.Column('helpful', sa.Boolean(), nullable=True),
    sa.Column('done', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['answer_id'], ['answer.id'], name=op.f('fk_answer_judgement_answer_id_answer'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['rating_id'], ['rating.id'], name=op.f('fk_answer_judgement_rating_id_rating'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['respondent_id'], ['respondent.id'], name=op.f('fk_answer_judgement_respondent_id_respondent')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_answer_judgement')),
    sa.UniqueConstraint('answer_id', 'respondent_id', name=op.f('uq_answer_judgement_answer_id_respondent_id'))
    )
    with op.batch_alter_table('answer_judgement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_answer_judgement_answer_id'), ['answer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_answer_judgement_respondent_id'), ['respondent_id'], unique=False)

    op.create_table('answered_comment',
    sa.Column('rating_id', sa.Integer(), nullable=False),
    sa.Column('answer_id', sa.Integer(), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['answer_id'], ['answer.id'], name=op.f('fk_answered_comment_answer_id_answer'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['rating_id'], ['rating.id'], name=op.f('fk_answered_comment_rating_id_rating'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('rating_id', name=op.f('pk_answered_comment'))
    )
    with op.batch_alter_table('answered_comment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_answered_comment_answer_id'), ['answer_id'], unique=False)

    op.create_table('sms_notice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rating_id', sa.Integer(), nullable=False),
    sa.Column('respondent_id', sa.Integer(), nullable=False),
    sa.Column('phone_cipher', sa.String(length=500), nullable=True),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('answer_id', sa.Integer(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('waiting', 'due', 'sent')", name=op.f('ck_sms_notice_status')),
    sa.ForeignKeyConstraint(['answer_id'], ['answer.id'], name=op.f('fk_sms_notice_answer_id_answer'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['rating_id'], ['rating.id'], name=op.f('fk_sms_notice_rating_id_rating'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['respondent_id'], ['respondent.id'], name=op.f('fk_sms_notice_respondent_id_respondent')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sms_notice')),
    sa.UniqueConstraint('rating_id', name=op.f('uq_sms_notice_rating_id'))
    )
    with op.batch_alter_table('sms_notice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sms_notice_respondent_id'), ['respondent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sms_notice_status'), ['status'], unique=False)



    # State evaluations, finished: a "contested" status, the outcome of the contest, the evaluator's
    # replies in the thread, and evidence attached to a message of the thread.
    with op.batch_alter_table('state_evaluation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contest_outcome', sa.String(length=10), nullable=True))
        batch_op.drop_constraint(op.f('ck_state_evaluation_status'), type_='check')
        batch_op.create_check_constraint(op.f('ck_state_evaluation_status'),
                                         "status IN ('draft', 'submitted', 'contested', 'final')")
        batch_op.create_check_constraint(op.f('ck_state_evaluation_contest_outcome'),
                                         "contest_outcome IS NULL OR contest_outcome IN ('accepted', 'rejected')")
    with op.batch_alter_table('lsg_response', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_lsg_response_kind'), type_='check')
        batch_op.create_check_constraint(op.f('ck_lsg_response_kind'), "kind IN ('answer', 'contest', 'reply')")
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.add_column(sa.Column('response_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_evidence_response_id'), ['response_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_evidence_response_id_lsg_response'), 'lsg_response',
                                    ['response_id'], ['id'], ondelete='CASCADE')


def downgrade() -> None:
    op.execute("DELETE FROM evidence WHERE response_id IS NOT NULL")
    op.execute("DELETE FROM lsg_response WHERE kind = 'reply'")
    op.execute("UPDATE state_evaluation SET status = 'submitted' WHERE status = 'contested'")
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_evidence_response_id_lsg_response'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_evidence_response_id'))
        batch_op.drop_column('response_id')
    with op.batch_alter_table('lsg_response', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_lsg_response_kind'), type_='check')
        batch_op.create_check_constraint(op.f('ck_lsg_response_kind'), "kind IN ('answer', 'contest')")
    with op.batch_alter_table('state_evaluation', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_state_evaluation_contest_outcome'), type_='check')
        batch_op.drop_constraint(op.f('ck_state_evaluation_status'), type_='check')
        batch_op.create_check_constraint(op.f('ck_state_evaluation_status'), "status IN ('draft', 'submitted', 'final')")
        batch_op.drop_column('contest_outcome')

    with op.batch_alter_table('sms_notice', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sms_notice_status'))
        batch_op.drop_index(batch_op.f('ix_sms_notice_respondent_id'))

    op.drop_table('sms_notice')
    with op.batch_alter_table('answered_comment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_answered_comment_answer_id'))

    op.drop_table('answered_comment')
    with op.batch_alter_table('answer_judgement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_answer_judgement_respondent_id'))
        batch_op.drop_index(batch_op.f('ix_answer_judgement_answer_id'))

    op.drop_table('answer_judgement')
    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_answer_period'))
        batch_op.drop_index(batch_op.f('ix_answer_municipality_code'))

    op.drop_table('answer')

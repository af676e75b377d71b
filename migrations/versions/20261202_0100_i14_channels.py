"""Channels: rating.channel (web, offline_web, sms, assisted), SMS short codes, inbound messages and
the outbox of replies, paper questionnaires.

Revision ID: i14_channels
Revises: f449a9811e4c
Create Date: 2026-12-02 00:54:27.777591
"""
from alembic import op
import sqlalchemy as sa


revision = 'i14_channels'
down_revision = 'i8_scorecard_context'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('short_code',
    sa.Column('code', sa.String(length=8), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('target', sa.String(length=40), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('municipality', 'subject')", name=op.f('ck_short_code_kind')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_short_code')),
    sa.UniqueConstraint('kind', 'target', name=op.f('uq_short_code_kind_target'))
    )
    op.create_table('paper_form',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('municipality_code', sa.String(length=14), nullable=False),
    sa.Column('period', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('respondent_id', sa.Integer(), nullable=False),
    sa.Column('entered_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['entered_by'], ['user_account.id'], name=op.f('fk_paper_form_entered_by_user_account')),
    sa.ForeignKeyConstraint(['municipality_code'], ['municipality.code'], name=op.f('fk_paper_form_municipality_code_municipality')),
    sa.ForeignKeyConstraint(['respondent_id'], ['respondent.id'], name=op.f('fk_paper_form_respondent_id_respondent')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_paper_form')),
    sa.UniqueConstraint('municipality_code', 'period', 'number', name=op.f('uq_paper_form_municipality_code_period_number'))
    )
    op.create_table('inbound_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('gateway', sa.String(length=20), nullable=False),
    sa.Column('gateway_id', sa.String(length=100), nullable=False),
    sa.Column('phone_hash', sa.String(length=64), nullable=False),
    sa.Column('lang', sa.String(length=2), nullable=False),
    sa.Column('outcome', sa.String(length=40), nullable=False),
    sa.Column('rating_id', sa.Integer(), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['rating_id'], ['rating.id'], name=op.f('fk_inbound_message_rating_id_rating'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inbound_message')),
    sa.UniqueConstraint('gateway', 'gateway_id', name=op.f('uq_inbound_message_gateway_gateway_id'))
    )
    with op.batch_alter_table('inbound_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inbound_message_phone_hash'), ['phone_hash'], unique=False)

    op.create_table('outbound_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('inbound_id', sa.Integer(), nullable=True),
    sa.Column('gateway', sa.String(length=20), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('text', sa.String(length=640), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('failed', sa.Boolean(), nullable=False),
    sa.Column('last_error', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['inbound_id'], ['inbound_message.id'], name=op.f('fk_outbound_message_inbound_id_inbound_message'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbound_message'))
    )
    with op.batch_alter_table('outbound_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbound_message_next_attempt_at'), ['next_attempt_at'], unique=False)

    with op.batch_alter_table('rating', schema=None) as batch_op:
        batch_op.add_column(sa.Column('channel', sa.String(length=12), server_default='web', nullable=False))
        batch_op.create_check_constraint('channel', "channel IN ('web', 'offline_web', 'sms', 'assisted')")



def downgrade() -> None:
    with op.batch_alter_table('rating', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_rating_channel'), type_='check')
        batch_op.drop_column('channel')

    with op.batch_alter_table('outbound_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbound_message_next_attempt_at'))

    op.drop_table('outbound_message')
    with op.batch_alter_table('inbound_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inbound_message_phone_hash'))

    op.drop_table('inbound_message')
    op.drop_table('paper_form')
    op.drop_table('short_code')

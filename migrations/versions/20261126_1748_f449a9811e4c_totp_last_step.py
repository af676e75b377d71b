"""totp last step

Revision ID: f449a9811e4c
Revises: 9127aac168ed
Create Date: 2026-11-26 17:48:43.209376
"""
from alembic import op
import sqlalchemy as sa


revision = 'f449a9811e4c'
down_revision = '9127aac168ed'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('totp_last_step', sa.Integer(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('totp_last_step')


"""SMS notices delivered like the replies: a retry time and a given-up status

Revision ID: s17_i24
Revises: s17_i15
Create Date: 2026-12-02 03:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "s17_i24"
down_revision = "s17_i15"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("sms_notice", schema=None) as batch_op:
        batch_op.add_column(sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.drop_constraint(op.f("ck_sms_notice_status"), type_="check")
        batch_op.create_check_constraint(op.f("ck_sms_notice_status"),
                                         "status IN ('waiting', 'due', 'sent', 'failed')")


def downgrade():
    op.execute("UPDATE sms_notice SET status = 'due' WHERE status = 'failed'")
    with op.batch_alter_table("sms_notice", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_sms_notice_status"), type_="check")
        batch_op.create_check_constraint(op.f("ck_sms_notice_status"), "status IN ('waiting', 'due', 'sent')")
        batch_op.drop_column("next_attempt_at")

"""answers: edited and withdrawn marks (the audit keeps the before and after)

Revision ID: s17_i10
Revises: i15_cache_version
Create Date: 2026-12-02 03:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "s17_i10"
down_revision = "i15_cache_version"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("answer", schema=None) as batch_op:
        batch_op.add_column(sa.Column("edited_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("edited_by", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("withdrawn_by", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_answer_edited_by_user_account"), "user_account",
                                    ["edited_by"], ["id"])
        batch_op.create_foreign_key(batch_op.f("fk_answer_withdrawn_by_user_account"), "user_account",
                                    ["withdrawn_by"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("answer", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_answer_withdrawn_by_user_account"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_answer_edited_by_user_account"), type_="foreignkey")
        batch_op.drop_column("withdrawn_by")
        batch_op.drop_column("withdrawn_at")
        batch_op.drop_column("edited_by")
        batch_op.drop_column("edited_at")

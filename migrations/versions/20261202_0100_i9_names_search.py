"""Confidence of each Kyrgyz place name; a registry version token for derived indexes (search).

Revision ID: i9_names_search
Revises: f449a9811e4c
Create Date: 2026-12-02 01:00:00

Existing rows get "medium" where the name was flagged as derived and "high" otherwise; running
`flask territory load` afterwards sets the confidence of kg_names_ky.csv (high / medium / low).
"""
import uuid

import sqlalchemy as sa
from alembic import op

revision = "i9_names_search"
down_revision = "i10_answers"
branch_labels = None
depends_on = None

CONFIDENCE_CHECK = "name_ky_confidence IN ('high', 'medium', 'low')"


def upgrade() -> None:
    for table in ("municipality", "village"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("name_ky_confidence", sa.String(length=6), server_default="high",
                                          nullable=False))
            batch_op.create_check_constraint("name_ky_confidence", CONFIDENCE_CHECK)
        unit = sa.table(table, sa.column("name_ky_derived", sa.Boolean), sa.column("name_ky_confidence", sa.String))
        op.execute(unit.update().where(unit.c.name_ky_derived == sa.true()).values(name_ky_confidence="medium"))
    version = op.create_table(
        "registry_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_version")),
    )
    op.execute(version.insert().values(id=1, token=uuid.uuid4().hex, changed_at=sa.func.now()))


def downgrade() -> None:
    op.drop_table("registry_version")
    for table in ("village", "municipality"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f"ck_{table}_name_ky_confidence"), type_="check")
            batch_op.drop_column("name_ky_confidence")

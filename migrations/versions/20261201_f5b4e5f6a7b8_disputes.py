"""Disputes: what a dispute is about and the case whose decision it disputes.

Revision ID: f5b4e5f6a7b8
Revises: f4a3d4e5f6a7
Created: 2026-12-01 03:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "f5b4e5f6a7b8"
down_revision = "f4a3d4e5f6a7"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("appeal_type", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("disputed_case_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_cases_disputed_case_id_cases"), "cases", ["disputed_case_id"], ["id"]
        )


def downgrade():
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_cases_disputed_case_id_cases"), type_="foreignkey")
        batch_op.drop_column("disputed_case_id")
        batch_op.drop_column("appeal_type")

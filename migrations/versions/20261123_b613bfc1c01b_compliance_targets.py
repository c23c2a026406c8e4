"""Compliance targets and national averages that managers set per measure and month.

Revision ID: b613bfc1c01b
Revises: 5e26f967199d
Created: 2026-11-23 11:33:30.324419
"""

import sqlalchemy as sa
from alembic import op

revision = "b613bfc1c01b"
down_revision = "5e26f967199d"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "compliance_targets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("measure", sa.String(length=64), nullable=False),
        sa.Column("month_on", sa.Date(), nullable=False),
        sa.Column("target_percent", sa.Numeric(precision=5, scale=2), nullable=True),
        sa.Column("national_average_percent", sa.Numeric(precision=5, scale=2), nullable=True),
        sa.Column("set_by_id", sa.Integer(), nullable=True),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["set_by_id"], ["users.id"], name=op.f("fk_compliance_targets_set_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_compliance_targets")),
        sa.UniqueConstraint("measure", "month_on", name="uq_compliance_targets_measure_month"),
    )


def downgrade():
    op.drop_table("compliance_targets")

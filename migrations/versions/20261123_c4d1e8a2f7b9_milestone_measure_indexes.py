"""Indexes for the monthly compliance measures: milestones by key and due date, and by key and date met.

Revision ID: c4d1e8a2f7b9
Revises: 81b6a20a8e35
Created: 2026-11-23 17:55:00
"""

from alembic import op

revision = "c4d1e8a2f7b9"
down_revision = "81b6a20a8e35"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("milestones", schema=None) as batch_op:
        batch_op.create_index(
            "ix_milestones_key_due",
            ["key", "due_on"],
            unique=False,
            postgresql_include=["met_on", "case_id", "exception_applies"],
        )
        batch_op.create_index(
            "ix_milestones_key_met",
            ["key", "met_on"],
            unique=False,
            postgresql_include=["due_on", "case_id", "exception_applies"],
        )


def downgrade():
    with op.batch_alter_table("milestones", schema=None) as batch_op:
        batch_op.drop_index("ix_milestones_key_met")
        batch_op.drop_index("ix_milestones_key_due")

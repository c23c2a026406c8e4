"""Milestones that lapse (missed, not overdue) and the ceasing of a plan with its appeal window.

Revision ID: a7c3e9d1b2f4
Revises: c4d1e8a2f7b9
Created: 2026-11-30 19:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "a7c3e9d1b2f4"
down_revision = "c4d1e8a2f7b9"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("milestones", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lapses_on", sa.Date(), nullable=True))
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cease_notice_sent_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("cease_appeal_ends_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("cease_appeal_concluded_on", sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.drop_column("cease_appeal_concluded_on")
        batch_op.drop_column("cease_appeal_ends_on")
        batch_op.drop_column("cease_notice_sent_on")
    with op.batch_alter_table("milestones", schema=None) as batch_op:
        batch_op.drop_column("lapses_on")

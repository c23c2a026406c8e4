"""The date a coordinator now expects a missed step, and staff contact phone numbers.

Revision ID: f3e2c3d4e5f6
Revises: f2d1b2c3d4e5
Created: 2026-12-01 00:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "f3e2c3d4e5f6"
down_revision = "f2d1b2c3d4e5"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("milestones", schema=None) as batch_op:
        batch_op.add_column(sa.Column("expected_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("expected_note", sa.String(length=200), nullable=True))
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("phone", sa.String(length=20), nullable=True))


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("phone")
    with op.batch_alter_table("milestones", schema=None) as batch_op:
        batch_op.drop_column("expected_note")
        batch_op.drop_column("expected_on")

"""Family message threads: each account sees its own.

Revision ID: d7a3e9f1c5b2
Revises: c6f2d8e0b4a1
Created: 2026-11-30 20:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "d7a3e9f1c5b2"
down_revision = "c6f2d8e0b4a1"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("communications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("shared_with_family_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("shared_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_communications_shared_by_id_users"), "users", ["shared_by_id"], ["id"]
        )


def downgrade():
    with op.batch_alter_table("communications", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_communications_shared_by_id_users"), type_="foreignkey")
        batch_op.drop_column("shared_by_id")
        batch_op.drop_column("shared_with_family_at")

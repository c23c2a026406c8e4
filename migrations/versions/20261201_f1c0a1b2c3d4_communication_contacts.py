"""Communications name the contact they came from, their time and how the reply went.

Revision ID: f1c0a1b2c3d4
Revises: e8b4f0a2d6c3
Created: 2026-12-01 00:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "f1c0a1b2c3d4"
down_revision = "e8b4f0a2d6c3"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("communications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("contact_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("received_at", sa.Time(), nullable=True))
        batch_op.add_column(sa.Column("reply_channel", sa.String(length=20), nullable=True))
        batch_op.create_index(batch_op.f("ix_communications_contact_id"), ["contact_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_communications_contact_id_child_contacts"),
            "child_contacts",
            ["contact_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade():
    with op.batch_alter_table("communications", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_communications_contact_id_child_contacts"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_communications_contact_id"))
        batch_op.drop_column("reply_channel")
        batch_op.drop_column("received_at")
        batch_op.drop_column("contact_id")

"""Letter templates: the administrator's versions of each kind's Word template; communications
record the letters the council sent as well as what it received.

Revision ID: d3e4f5a6b7c8
Revises: b1c2d3e4f5a6
Created: 2026-12-01 07:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "d3e4f5a6b7c8"
down_revision = "b1c2d3e4f5a6"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "letter_templates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("is_current", sa.Boolean(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"], ["users.id"], name=op.f("fk_letter_templates_uploaded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_letter_templates")),
        sa.UniqueConstraint("kind", "version", name="uq_letter_templates_kind_version"),
    )
    op.create_index(
        "uq_letter_templates_one_current",
        "letter_templates",
        ["kind"],
        unique=True,
        sqlite_where=sa.text("is_current"),
        postgresql_where=sa.text("is_current"),
    )
    with op.batch_alter_table("communications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("outgoing", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table("communications", schema=None) as batch_op:
        batch_op.drop_column("outgoing")
    op.drop_index("uq_letter_templates_one_current", table_name="letter_templates")
    op.drop_table("letter_templates")

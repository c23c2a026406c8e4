"""A directory of providers and settings used by advice, consultations and plans.

Revision ID: f2d1b2c3d4e5
Revises: f1c0a1b2c3d4
Created: 2026-12-01 00:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "f2d1b2c3d4e5"
down_revision = "f1c0a1b2c3d4"
branch_labels = None
depends_on = None

LINKED = ("advice_requests", "consultations")


def upgrade():
    op.create_table(
        "directory_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_key", sa.String(length=200), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "educational_psychology",
                "health_paediatrics",
                "speech_and_language",
                "occupational_therapy",
                "social_care",
                "school",
                "college",
                "early_years",
                "independent_specialist",
                "other",
                name="directorykind",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("urn", sa.String(length=6), nullable=True),
        sa.Column("ukprn", sa.String(length=8), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_directory_entries_updated_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_directory_entries")),
        sa.UniqueConstraint("name_key", name=op.f("uq_directory_entries_name_key")),
    )
    for table in LINKED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("directory_entry_id", sa.Integer(), nullable=True))
            batch_op.create_index(batch_op.f(f"ix_{table}_directory_entry_id"), ["directory_entry_id"], unique=False)
            batch_op.create_foreign_key(
                batch_op.f(f"fk_{table}_directory_entry_id_directory_entries"),
                "directory_entries",
                ["directory_entry_id"],
                ["id"],
            )


def downgrade():
    for table in LINKED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f"fk_{table}_directory_entry_id_directory_entries"), type_="foreignkey")
            batch_op.drop_index(batch_op.f(f"ix_{table}_directory_entry_id"))
            batch_op.drop_column("directory_entry_id")
    op.drop_table("directory_entries")

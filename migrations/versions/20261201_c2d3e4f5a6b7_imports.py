"""Moving in: the imports table, and the source key each imported child, plan and case keeps.

A child, plan or case brought in from an authority's previous system keeps its key there (unique,
so running the same file again finds it instead of adding it twice), a digest of what was
imported (an unchanged row is left alone) and the import that last wrote it.

Revision ID: c2d3e4f5a6b7
Revises: a7d6e5f4c3b2
Created: 2026-12-01 04:35:51.219573
"""

import sqlalchemy as sa
from alembic import op

revision = "c2d3e4f5a6b7"
down_revision = "a7d6e5f4c3b2"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("checksum", sa.String(length=64), nullable=False),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("queued", "running", "done", "failed", name="importstatus", native_enum=False, length=10),
            nullable=False,
        ),
        sa.Column("default_team_id", sa.Integer(), nullable=True),
        sa.Column("checked_import_id", sa.Integer(), nullable=True),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=True),
        sa.Column("counts", sa.JSON(), nullable=True),
        sa.Column("report_csv", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["checked_import_id"],
            ["imports.id"],
            name=op.f("fk_imports_checked_import_id_imports"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["default_team_id"], ["teams.id"], name=op.f("fk_imports_default_team_id_teams"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"], ["users.id"], name=op.f("fk_imports_requested_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_imports")),
    )
    with op.batch_alter_table("imports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_imports_checksum"), ["checksum"], unique=False)

    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source_key", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("source_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("import_id", sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_cases_source_key"), ["source_key"])
        batch_op.create_foreign_key(
            batch_op.f("fk_cases_import_id_imports"), "imports", ["import_id"], ["id"], ondelete="SET NULL"
        )

    with op.batch_alter_table("children", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source_key", sa.String(length=160), nullable=True))
        batch_op.add_column(sa.Column("source_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("import_id", sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_children_source_key"), ["source_key"])
        batch_op.create_foreign_key(
            batch_op.f("fk_children_import_id_imports"), "imports", ["import_id"], ["id"], ondelete="SET NULL"
        )

    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source_key", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("source_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("import_id", sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_plans_source_key"), ["source_key"])
        batch_op.create_foreign_key(
            batch_op.f("fk_plans_import_id_imports"), "imports", ["import_id"], ["id"], ondelete="SET NULL"
        )


def downgrade():
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_plans_import_id_imports"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("uq_plans_source_key"), type_="unique")
        batch_op.drop_column("import_id")
        batch_op.drop_column("source_hash")
        batch_op.drop_column("source_key")

    with op.batch_alter_table("children", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_children_import_id_imports"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("uq_children_source_key"), type_="unique")
        batch_op.drop_column("import_id")
        batch_op.drop_column("source_hash")
        batch_op.drop_column("source_key")

    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_cases_import_id_imports"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("uq_cases_source_key"), type_="unique")
        batch_op.drop_column("import_id")
        batch_op.drop_column("source_hash")
        batch_op.drop_column("source_key")

    with op.batch_alter_table("imports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_imports_checksum"))

    op.drop_table("imports")

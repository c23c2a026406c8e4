"""Items the SEN2 return needs that the records did not hold, and the return's header settings.

Revision ID: f4a3d4e5f6a7
Revises: f3e2c3d4e5f6
Created: 2026-12-01 00:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "f4a3d4e5f6a7"
down_revision = "f3e2c3d4e5f6"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("children", schema=None) as batch_op:
        batch_op.add_column(sa.Column("setting_started_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("sen_setting", sa.String(length=4), nullable=True))
        batch_op.add_column(sa.Column("setting_sen_unit", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(
            sa.Column("setting_resourced_provision", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("upn_unknown_reason", sa.String(length=4), nullable=True))
    with op.batch_alter_table("children", schema=None) as batch_op:
        batch_op.alter_column("setting_sen_unit", server_default=None)
        batch_op.alter_column("setting_resourced_provision", server_default=None)

    op.create_table(
        "sen2_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("la_code", sa.String(length=3), nullable=True),
        sa.Column("dmo", sa.String(length=1), nullable=True),
        sa.Column("dco", sa.String(length=1), nullable=True),
        sa.Column("dsco", sa.String(length=1), nullable=True),
        sa.Column("software_code", sa.String(length=40), nullable=True),
        sa.Column("serial_no", sa.String(length=6), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["updated_by_id"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "sen2_exports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("census_date", sa.Date(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("queued", "running", "done", "failed", name="sen2exportstatus", native_enum=False, length=10),
            nullable=False,
        ),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=True),
        sa.Column("xml", sa.LargeBinary(), nullable=True),
        sa.Column("report_csv", sa.Text(), nullable=True),
        sa.Column("summary", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["requested_by_id"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade():
    op.drop_table("sen2_exports")
    op.drop_table("sen2_settings")
    with op.batch_alter_table("children", schema=None) as batch_op:
        batch_op.drop_column("upn_unknown_reason")
        batch_op.drop_column("setting_resourced_provision")
        batch_op.drop_column("setting_sen_unit")
        batch_op.drop_column("sen_setting")
        batch_op.drop_column("setting_started_on")

"""Each milestone carries its case's team, coordinator and "case is open", with partial indexes
over the open steps by team and by coordinator: a team's overdue list is one index range.

Revision ID: a6b7c8d9e0f1
Revises: f5a6b7c8d9e0
Created: 2026-12-01 07:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "a6b7c8d9e0f1"
down_revision = "f5a6b7c8d9e0"
branch_labels = None
depends_on = None

# As the model writes them (models/case.py): the open steps of open cases.
OPEN_STEP_SQLITE = "met_on IS NULL AND is_period = 0 AND case_open = 1"
OPEN_STEP_POSTGRESQL = "met_on IS NULL AND is_period = false AND case_open = true"

BACKFILL = """
UPDATE milestones SET
    team_id = (SELECT cases.team_id FROM cases WHERE cases.id = milestones.case_id),
    coordinator_id = (SELECT cases.coordinator_id FROM cases WHERE cases.id = milestones.case_id),
    case_open = (SELECT cases.status = 'open' FROM cases WHERE cases.id = milestones.case_id)
"""


def upgrade():
    with op.batch_alter_table("milestones", schema=None) as batch_op:
        batch_op.add_column(sa.Column("team_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("coordinator_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("case_open", sa.Boolean(), nullable=True))
    op.execute(BACKFILL)
    with op.batch_alter_table("milestones", schema=None) as batch_op:
        batch_op.alter_column("team_id", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("case_open", existing_type=sa.Boolean(), nullable=False)
        batch_op.create_foreign_key(batch_op.f("fk_milestones_team_id_teams"), "teams", ["team_id"], ["id"])
        batch_op.create_foreign_key(
            batch_op.f("fk_milestones_coordinator_id_users"), "users", ["coordinator_id"], ["id"]
        )
        batch_op.create_index(
            "ix_milestones_open_team_due",
            ["team_id", "due_on"],
            unique=False,
            sqlite_where=sa.text(OPEN_STEP_SQLITE),
            postgresql_where=sa.text(OPEN_STEP_POSTGRESQL),
            postgresql_include=["key", "lapses_on", "case_id"],
        )
        batch_op.create_index(
            "ix_milestones_open_coordinator_due",
            ["coordinator_id", "due_on"],
            unique=False,
            sqlite_where=sa.text(OPEN_STEP_SQLITE),
            postgresql_where=sa.text(OPEN_STEP_POSTGRESQL),
            postgresql_include=["key", "lapses_on", "case_id"],
        )


def downgrade():
    with op.batch_alter_table("milestones", schema=None) as batch_op:
        batch_op.drop_index("ix_milestones_open_coordinator_due")
        batch_op.drop_index("ix_milestones_open_team_due")
        batch_op.drop_constraint(batch_op.f("fk_milestones_coordinator_id_users"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_milestones_team_id_teams"), type_="foreignkey")
        batch_op.drop_column("case_open")
        batch_op.drop_column("coordinator_id")
        batch_op.drop_column("team_id")

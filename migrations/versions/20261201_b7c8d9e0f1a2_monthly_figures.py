"""The monthly compliance figures kept as data (one row per team, month and measure), counted
from the milestones already recorded.

Revision ID: b7c8d9e0f1a2
Revises: f5a6b7c8d9e0
Created: 2026-12-01 08:00:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

revision = "b7c8d9e0f1a2"
down_revision = "f5a6b7c8d9e0"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "monthly_figures",
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("month_on", sa.Date(), nullable=False),
        sa.Column("measure", sa.String(length=64), nullable=False),
        sa.Column("counted", sa.Integer(), nullable=False),
        sa.Column("on_time", sa.Integer(), nullable=False),
        sa.Column("counted_kept", sa.Integer(), nullable=False),
        sa.Column("on_time_kept", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name=op.f("fk_monthly_figures_team_id_teams")),
        sa.PrimaryKeyConstraint("team_id", "month_on", "measure", name=op.f("pk_monthly_figures")),
    )
    # Count what is already recorded with the service's own statement, so the stored figures
    # and the live ones cannot differ (`flask read-model rebuild` runs the same). It reads only
    # the milestones' key, dates, exception flag and case, and the cases' team and closing date.
    from ehc_tracker.services.reports import figure_store

    session = Session(bind=op.get_bind())
    figure_store.rebuild(session)
    session.flush()


def downgrade():
    op.drop_table("monthly_figures")

"""The monthly compliance figures kept as data (one row per team, month and measure, and advice
by type and provider), counted from the milestones already recorded; and an index for a team's
disputes.

Revision ID: b7c8d9e0f1a2
Revises: a6b7c8d9e0f1
Created: 2026-12-01 08:00:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

revision = "b7c8d9e0f1a2"
down_revision = "a6b7c8d9e0f1"
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
    op.create_table(
        "advice_figures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("month_on", sa.Date(), nullable=False),
        sa.Column(
            "advice_type",
            sa.Enum(
                "ep",
                "health",
                "social_care",
                "salt",
                "ot",
                "school",
                "other",
                name="advicetype",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("directory_entry_id", sa.Integer(), nullable=True),
        sa.Column("provider", sa.String(length=200), nullable=False),
        sa.Column("counted", sa.Integer(), nullable=False),
        sa.Column("on_time", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["directory_entry_id"],
            ["directory_entries.id"],
            name=op.f("fk_advice_figures_directory_entry_id_directory_entries"),
        ),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name=op.f("fk_advice_figures_team_id_teams")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_advice_figures")),
    )
    op.create_index("ix_advice_figures_team_month", "advice_figures", ["team_id", "month_on"], unique=False)
    # A team's disputes (mediation and appeals figures) without reading all its cases.
    op.create_index("ix_cases_type_team", "cases", ["case_type", "team_id"], unique=False)
    # The caseload's first page, by next due date, of a team's or a coordinator's open cases.
    for column in ("team_id", "coordinator_id"):
        op.create_index(
            f"ix_cases_open_{column.removesuffix('_id')}_next_due",
            "cases",
            [column, "next_due_on", "id"],
            unique=False,
            sqlite_where=sa.text("status = 'open'"),
            postgresql_where=sa.text("status = 'open'"),
        )
    # Open cases by coordinator (the dashboard's caseload) from the index alone.
    op.create_index(
        "ix_cases_open_team_coordinator",
        "cases",
        ["team_id", "coordinator_id", "anchor_on"],
        unique=False,
        sqlite_where=sa.text("status = 'open'"),
        postgresql_where=sa.text("status = 'open'"),
    )
    # Count what is already recorded with the service's own statement, so the stored figures
    # and the live ones cannot differ (`flask read-model rebuild` runs the same). It reads only
    # the milestones' key, dates, exception flag and case, and the cases' team and closing date.
    from ehc_tracker.services.reports import figure_store

    session = Session(bind=op.get_bind())
    figure_store.rebuild(session)
    session.flush()


def downgrade():
    op.drop_index("ix_cases_open_team_coordinator", table_name="cases")
    op.drop_index("ix_cases_open_coordinator_next_due", table_name="cases")
    op.drop_index("ix_cases_open_team_next_due", table_name="cases")
    op.drop_index("ix_cases_type_team", table_name="cases")
    op.drop_index("ix_advice_figures_team_month", table_name="advice_figures")
    op.drop_table("advice_figures")
    op.drop_table("monthly_figures")

"""Complaints and family feedback surveys.

Complaints about a child's case at each stage of the council's procedure (stage 1, stage 2, the
ombudsman), with the day the response is due; and the short surveys families are offered when a
plan is issued or a review completed, answered once through their account or an emailed link.

Revision ID: b1c2d3e4f5a6
Revises: c2d3e4f5a6b7
Created: 2026-12-01 04:35:16
"""

import sqlalchemy as sa
from alembic import op

revision = "b1c2d3e4f5a6"
down_revision = "c2d3e4f5a6b7"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "complaints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column(
            "stage",
            sa.Enum("stage_1", "stage_2", "ombudsman", name="complaintstage", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column(
            "category",
            sa.Enum(
                "communication",
                "timeliness",
                "provision",
                "decision",
                "staff",
                "other",
                name="complaintcategory",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("response_due_on", sa.Date(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("responded_on", sa.Date(), nullable=True),
        sa.Column(
            "outcome",
            sa.Enum(
                "upheld",
                "partly_upheld",
                "not_upheld",
                "withdrawn",
                name="complaintoutcome",
                native_enum=False,
                length=20,
            ),
            nullable=True,
        ),
        sa.Column("lessons", sa.Text(), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_complaints_case_id_cases")),
        sa.ForeignKeyConstraint(["child_id"], ["children.id"], name=op.f("fk_complaints_child_id_children")),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["users.id"], name=op.f("fk_complaints_recorded_by_id_users")),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name=op.f("fk_complaints_team_id_teams")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaints")),
    )
    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_complaints_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_complaints_child_id"), ["child_id"], unique=False)
        batch_op.create_index("ix_complaints_team_received", ["team_id", "received_on"], unique=False)

    op.create_table(
        "family_surveys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("coordinator_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "point",
            sa.Enum("final_plan_issued", "review_decision_notified", name="surveypoint", native_enum=False, length=40),
            nullable=False,
        ),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("offered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answered_on", sa.Date(), nullable=True),
        sa.Column(
            "rating",
            sa.Enum("satisfied", "partly", "not_satisfied", name="surveyrating", native_enum=False, length=20),
            nullable=True,
        ),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("shared_with_coordinator_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("shared_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_family_surveys_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["coordinator_id"], ["users.id"], name=op.f("fk_family_surveys_coordinator_id_users")),
        sa.ForeignKeyConstraint(["shared_by_id"], ["users.id"], name=op.f("fk_family_surveys_shared_by_id_users")),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name=op.f("fk_family_surveys_team_id_teams")),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_family_surveys_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_family_surveys")),
        sa.UniqueConstraint("case_id", "point", "user_id", name="uq_family_surveys_case_point_user"),
        sa.UniqueConstraint("token_hash", name=op.f("uq_family_surveys_token_hash")),
    )
    with op.batch_alter_table("family_surveys", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_family_surveys_case_id"), ["case_id"], unique=False)
        batch_op.create_index("ix_family_surveys_team_answered", ["team_id", "answered_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_family_surveys_user_id"), ["user_id"], unique=False)


def downgrade():
    with op.batch_alter_table("family_surveys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_family_surveys_user_id"))
        batch_op.drop_index("ix_family_surveys_team_answered")
        batch_op.drop_index(batch_op.f("ix_family_surveys_case_id"))

    op.drop_table("family_surveys")
    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.drop_index("ix_complaints_team_received")
        batch_op.drop_index(batch_op.f("ix_complaints_child_id"))
        batch_op.drop_index(batch_op.f("ix_complaints_case_id"))

    op.drop_table("complaints")

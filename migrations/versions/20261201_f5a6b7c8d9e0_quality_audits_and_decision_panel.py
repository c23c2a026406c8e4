"""Quality audits of plans and advice (frameworks, monthly samples, grades and moderation), the
decision-making panel (dates, agenda, papers, members, decisions), and the auditor flag on accounts.

Revision ID: f5a6b7c8d9e0
Revises: e4f5a6b7c8d9
Created: 2026-12-01 04:42:57.537352
"""

import sqlalchemy as sa
from alembic import op

revision = "f5a6b7c8d9e0"
down_revision = "e4f5a6b7c8d9"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "audit_frameworks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "subject", sa.Enum("plan", "advice", name="auditsubject", native_enum=False, length=20), nullable=False
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_audit_frameworks_created_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_frameworks")),
        sa.UniqueConstraint("subject", "version", name="uq_audit_frameworks_subject_version"),
    )
    op.create_table(
        "audit_samples",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("month_on", sa.Date(), nullable=False),
        sa.Column("percent", sa.Integer(), nullable=True),
        sa.Column("count", sa.Integer(), nullable=True),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("population", sa.Integer(), nullable=False),
        sa.Column("drawn_by_id", sa.Integer(), nullable=True),
        sa.Column("drawn_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["drawn_by_id"], ["users.id"], name=op.f("fk_audit_samples_drawn_by_id_users")),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name=op.f("fk_audit_samples_team_id_teams")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_samples")),
        sa.UniqueConstraint("team_id", "month_on", name="uq_audit_samples_team_month"),
    )
    op.create_table(
        "panels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("meets_on", sa.Date(), nullable=False),
        sa.Column("location", sa.String(length=200), nullable=True),
        sa.Column("chair", sa.String(length=200), nullable=True),
        sa.Column("minutes", sa.Text(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_panels_created_by_id_users")),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name=op.f("fk_panels_team_id_teams")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_panels")),
        sa.UniqueConstraint("team_id", "meets_on", name="uq_panels_team_meets_on"),
    )
    with op.batch_alter_table("panels", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_panels_meets_on"), ["meets_on"], unique=False)

    op.create_table(
        "audit_questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("framework_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("section", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["framework_id"],
            ["audit_frameworks.id"],
            name=op.f("fk_audit_questions_framework_id_audit_frameworks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_questions")),
    )
    with op.batch_alter_table("audit_questions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_questions_framework_id"), ["framework_id"], unique=False)

    op.create_table(
        "panel_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("panel_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("agency", sa.String(length=200), nullable=False),
        sa.Column("attended", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(
            ["panel_id"], ["panels.id"], name=op.f("fk_panel_members_panel_id_panels"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_panel_members")),
    )
    with op.batch_alter_table("panel_members", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_panel_members_panel_id"), ["panel_id"], unique=False)

    op.create_table(
        "panel_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("panel_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column(
            "question",
            sa.Enum(
                "request_to_assess",
                "decision_to_issue",
                "placement",
                "funding",
                name="panelquestion",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("decision", sa.String(length=40), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_panel_items_case_id_cases")),
        sa.ForeignKeyConstraint(["decided_by_id"], ["users.id"], name=op.f("fk_panel_items_decided_by_id_users")),
        sa.ForeignKeyConstraint(["event_id"], ["case_events.id"], name=op.f("fk_panel_items_event_id_case_events")),
        sa.ForeignKeyConstraint(
            ["panel_id"], ["panels.id"], name=op.f("fk_panel_items_panel_id_panels"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_panel_items")),
        sa.UniqueConstraint("panel_id", "case_id", "question", name="uq_panel_items_panel_case"),
    )
    with op.batch_alter_table("panel_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_panel_items_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_panel_items_panel_id"), ["panel_id"], unique=False)

    op.create_table(
        "quality_audits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sample_id", sa.Integer(), nullable=True),
        sa.Column("month_on", sa.Date(), nullable=False),
        sa.Column(
            "subject", sa.Enum("plan", "advice", name="auditsubject", native_enum=False, length=20), nullable=False
        ),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=True),
        sa.Column("advice_request_id", sa.Integer(), nullable=True),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("framework_id", sa.Integer(), nullable=False),
        sa.Column("added_by_manager", sa.Boolean(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "to_do",
                "awaiting_moderation",
                "disagreed",
                "complete",
                name="auditstatus",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("auditor_id", sa.Integer(), nullable=True),
        sa.Column(
            "grade",
            sa.Enum(
                "outstanding", "good", "requires_improvement", "inadequate", name="grade", native_enum=False, length=24
            ),
            nullable=True,
        ),
        sa.Column("comments", sa.Text(), nullable=True),
        sa.Column("graded_on", sa.Date(), nullable=True),
        sa.Column("moderator_id", sa.Integer(), nullable=True),
        sa.Column(
            "moderator_grade",
            sa.Enum(
                "outstanding", "good", "requires_improvement", "inadequate", name="grade", native_enum=False, length=24
            ),
            nullable=True,
        ),
        sa.Column("moderator_comments", sa.Text(), nullable=True),
        sa.Column("moderated_on", sa.Date(), nullable=True),
        sa.Column("resolved_by_id", sa.Integer(), nullable=True),
        sa.Column("resolution_note", sa.Text(), nullable=True),
        sa.Column(
            "final_grade",
            sa.Enum(
                "outstanding", "good", "requires_improvement", "inadequate", name="grade", native_enum=False, length=24
            ),
            nullable=True,
        ),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.Column("actions", sa.Text(), nullable=True),
        sa.Column("actions_done_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["advice_request_id"],
            ["advice_requests.id"],
            name=op.f("fk_quality_audits_advice_request_id_advice_requests"),
        ),
        sa.ForeignKeyConstraint(["auditor_id"], ["users.id"], name=op.f("fk_quality_audits_auditor_id_users")),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_quality_audits_case_id_cases")),
        sa.ForeignKeyConstraint(["event_id"], ["case_events.id"], name=op.f("fk_quality_audits_event_id_case_events")),
        sa.ForeignKeyConstraint(
            ["framework_id"], ["audit_frameworks.id"], name=op.f("fk_quality_audits_framework_id_audit_frameworks")
        ),
        sa.ForeignKeyConstraint(["moderator_id"], ["users.id"], name=op.f("fk_quality_audits_moderator_id_users")),
        sa.ForeignKeyConstraint(["plan_id"], ["plans.id"], name=op.f("fk_quality_audits_plan_id_plans")),
        sa.ForeignKeyConstraint(["resolved_by_id"], ["users.id"], name=op.f("fk_quality_audits_resolved_by_id_users")),
        sa.ForeignKeyConstraint(
            ["sample_id"], ["audit_samples.id"], name=op.f("fk_quality_audits_sample_id_audit_samples")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quality_audits")),
    )
    with op.batch_alter_table("quality_audits", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_quality_audits_auditor_id"), ["auditor_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_quality_audits_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_quality_audits_moderator_id"), ["moderator_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_quality_audits_month_on"), ["month_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_quality_audits_sample_id"), ["sample_id"], unique=False)

    op.create_table(
        "audit_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("audit_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column(
            "grade",
            sa.Enum(
                "outstanding", "good", "requires_improvement", "inadequate", name="grade", native_enum=False, length=24
            ),
            nullable=False,
        ),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["audit_id"],
            ["quality_audits.id"],
            name=op.f("fk_audit_answers_audit_id_quality_audits"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["question_id"], ["audit_questions.id"], name=op.f("fk_audit_answers_question_id_audit_questions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_answers")),
        sa.UniqueConstraint("audit_id", "question_id", "role", name="uq_audit_answers_audit_question"),
    )
    op.create_table(
        "panel_item_papers",
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_panel_item_papers_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["panel_items.id"], name=op.f("fk_panel_item_papers_item_id_panel_items"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("item_id", "document_id", name=op.f("pk_panel_item_papers")),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("auditor", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("auditor")

    op.drop_table("panel_item_papers")
    op.drop_table("audit_answers")
    with op.batch_alter_table("quality_audits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quality_audits_sample_id"))
        batch_op.drop_index(batch_op.f("ix_quality_audits_month_on"))
        batch_op.drop_index(batch_op.f("ix_quality_audits_moderator_id"))
        batch_op.drop_index(batch_op.f("ix_quality_audits_case_id"))
        batch_op.drop_index(batch_op.f("ix_quality_audits_auditor_id"))

    op.drop_table("quality_audits")
    with op.batch_alter_table("panel_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_panel_items_panel_id"))
        batch_op.drop_index(batch_op.f("ix_panel_items_case_id"))

    op.drop_table("panel_items")
    with op.batch_alter_table("panel_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_panel_members_panel_id"))

    op.drop_table("panel_members")
    with op.batch_alter_table("audit_questions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_questions_framework_id"))

    op.drop_table("audit_questions")
    with op.batch_alter_table("panels", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_panels_meets_on"))

    op.drop_table("panels")
    op.drop_table("audit_samples")
    op.drop_table("audit_frameworks")

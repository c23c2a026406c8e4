"""Children, cases, events, milestones, advice, consultations, communications, exceptions, plans.

Revision ID: 5e26f967199d
Revises: f3f25429b4d5
Created: 2026-11-23 11:30:26.224967
"""

import sqlalchemy as sa
from alembic import op

revision = "5e26f967199d"
down_revision = "f3f25429b4d5"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "children",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("first_name", sa.String(length=100), nullable=False),
        sa.Column("last_name", sa.String(length=100), nullable=False),
        sa.Column("date_of_birth", sa.Date(), nullable=False),
        sa.Column("upn", sa.String(length=13), nullable=True),
        sa.Column("uln", sa.String(length=10), nullable=True),
        sa.Column("sex", sa.Enum("M", "F", "U", name="sex", native_enum=False), nullable=True),
        sa.Column(
            "ethnicity",
            sa.Enum(
                "WBRI",
                "WIRI",
                "WIRT",
                "WOTH",
                "WROM",
                "MWBC",
                "MWBA",
                "MWAS",
                "MOTH",
                "AIND",
                "APKN",
                "ABAN",
                "AOTH",
                "BCRB",
                "BAFR",
                "BOTH",
                "CHNE",
                "OOTH",
                "REFU",
                "NOBT",
                name="ethnicity",
                native_enum=False,
            ),
            nullable=True,
        ),
        sa.Column("postcode", sa.String(length=8), nullable=True),
        sa.Column(
            "primary_need",
            sa.Enum(
                "SPLD",
                "MLD",
                "SLD",
                "PMLD",
                "SEMH",
                "SLCN",
                "HI",
                "VI",
                "MSI",
                "PD",
                "ASD",
                "DS",
                "OTH",
                name="senneed",
                native_enum=False,
            ),
            nullable=True,
        ),
        sa.Column(
            "secondary_need",
            sa.Enum(
                "SPLD",
                "MLD",
                "SLD",
                "PMLD",
                "SEMH",
                "SLCN",
                "HI",
                "VI",
                "MSI",
                "PD",
                "ASD",
                "DS",
                "OTH",
                name="senneed",
                native_enum=False,
            ),
            nullable=True,
        ),
        sa.Column("setting_name", sa.String(length=200), nullable=True),
        sa.Column("setting_urn", sa.String(length=6), nullable=True),
        sa.Column("setting_ukprn", sa.String(length=8), nullable=True),
        sa.Column("year_group_override", sa.Integer(), nullable=True),
        sa.Column("year_group_override_school_year", sa.Integer(), nullable=True),
        sa.Column("attends_infant_school", sa.Boolean(), nullable=False),
        sa.Column("looked_after", sa.Boolean(), nullable=False),
        sa.Column("young_person_own_requests", sa.Boolean(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(year_group_override IS NULL) = (year_group_override_school_year IS NULL)",
            name=op.f("ck_children_override_pair"),
        ),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name=op.f("fk_children_team_id_teams")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_children")),
    )
    with op.batch_alter_table("children", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_children_date_of_birth"), ["date_of_birth"], unique=False)
        batch_op.create_index("ix_children_team_names", ["team_id", "last_name", "first_name"], unique=False)
        batch_op.create_index(batch_op.f("ix_children_upn"), ["upn"], unique=False)

    op.create_table(
        "child_contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("relationship_to_child", sa.String(length=100), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column(
            "preferred_contact_method",
            sa.Enum("email", "phone", "letter", name="contactmethod", native_enum=False, length=10),
            nullable=True,
        ),
        sa.Column("has_parental_responsibility", sa.Boolean(), nullable=False),
        sa.Column("communication_needs", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["child_id"], ["children.id"], name=op.f("fk_child_contacts_child_id_children"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_child_contacts")),
    )
    with op.batch_alter_table("child_contacts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_child_contacts_child_id"), ["child_id"], unique=False)

    op.create_table(
        "plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("last_amended_on", sa.Date(), nullable=True),
        sa.Column("named_settings", sa.Text(), nullable=True),
        sa.Column(
            "status",
            sa.Enum("active", "ceasing", "ceased", name="planstatus", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("cease_decided_on", sa.Date(), nullable=True),
        sa.Column("ceased_on", sa.Date(), nullable=True),
        sa.Column("cease_reason", sa.String(length=2), nullable=True),
        sa.Column("issued_by_case_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["child_id"], ["children.id"], name=op.f("fk_plans_child_id_children")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plans")),
    )
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plans_child_id"), ["child_id"], unique=False)

    op.create_table(
        "cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("coordinator_id", sa.Integer(), nullable=True),
        sa.Column(
            "case_type",
            sa.Enum("assessment", "reassessment", "annual_review", name="casetype", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum("open", "completed", "withdrawn", "closed", name="casestatus", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("anchor_on", sa.Date(), nullable=False),
        sa.Column(
            "request_source",
            sa.Enum(
                "parent",
                "young_person",
                "school",
                "health",
                "other",
                name="requestsource",
                native_enum=False,
                length=20,
            ),
            nullable=True,
        ),
        sa.Column("plan_id", sa.Integer(), nullable=True),
        sa.Column("review_meeting_on", sa.Date(), nullable=True),
        sa.Column("transferred_on", sa.Date(), nullable=True),
        sa.Column("previous_authority", sa.String(length=120), nullable=True),
        sa.Column(
            "review_decision",
            sa.Enum("maintain", "amend", "cease", name="reviewdecision", native_enum=False, length=20),
            nullable=True,
        ),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("close_reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_due_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["child_id"], ["children.id"], name=op.f("fk_cases_child_id_children")),
        sa.ForeignKeyConstraint(["coordinator_id"], ["users.id"], name=op.f("fk_cases_coordinator_id_users")),
        sa.ForeignKeyConstraint(["plan_id"], ["plans.id"], name=op.f("fk_cases_plan_id_plans")),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name=op.f("fk_cases_team_id_teams")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
    )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cases_child_id"), ["child_id"], unique=False)
        batch_op.create_index("ix_cases_coordinator_status", ["coordinator_id", "status"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_next_due_on"), ["next_due_on"], unique=False)
        batch_op.create_index("ix_cases_team_status", ["team_id", "status"], unique=False)

    op.create_table(
        "advice_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
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
        sa.Column("provider", sa.String(length=200), nullable=False),
        sa.Column("requested_on", sa.Date(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=True),
        sa.Column("quality_note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_advice_requests_case_id_cases"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_advice_requests")),
    )
    with op.batch_alter_table("advice_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_advice_requests_case_id"), ["case_id"], unique=False)

    op.create_table(
        "case_assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("coordinator_id", sa.Integer(), nullable=True),
        sa.Column("assigned_by_id", sa.Integer(), nullable=True),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["assigned_by_id"], ["users.id"], name=op.f("fk_case_assignments_assigned_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_assignments_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["coordinator_id"], ["users.id"], name=op.f("fk_case_assignments_coordinator_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_assignments")),
    )
    with op.batch_alter_table("case_assignments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_assignments_case_id"), ["case_id"], unique=False)

    op.create_table(
        "case_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column(
            "event_type",
            sa.Enum(
                "request_received",
                "decided_to_assess",
                "decided_not_to_assess",
                "advice_requested",
                "advice_received",
                "decided_to_issue",
                "decided_not_to_issue",
                "draft_plan_issued",
                "school_consulted",
                "school_responded",
                "final_plan_issued",
                "withdrawn",
                "review_meeting_scheduled",
                "invitations_sent",
                "review_meeting_held",
                "review_report_received",
                "review_decision_notified",
                "amendments_proposed",
                "amended_plan_issued",
                "plan_ceased",
                "transfer_notice_sent",
                name="eventtype",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_events_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["users.id"], name=op.f("fk_case_events_recorded_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_events")),
    )
    with op.batch_alter_table("case_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_events_case_id"), ["case_id"], unique=False)

    op.create_table(
        "case_exceptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("milestone_key", sa.String(length=64), nullable=False),
        sa.Column("limb", sa.String(length=40), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=True),
        sa.Column(
            "status",
            sa.Enum("proposed", "approved", "rejected", name="exceptionstatus", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("proposed_by_id", sa.Integer(), nullable=True),
        sa.Column("proposed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_exceptions_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["decided_by_id"], ["users.id"], name=op.f("fk_case_exceptions_decided_by_id_users")),
        sa.ForeignKeyConstraint(["proposed_by_id"], ["users.id"], name=op.f("fk_case_exceptions_proposed_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_exceptions")),
    )
    with op.batch_alter_table("case_exceptions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_exceptions_case_id"), ["case_id"], unique=False)

    op.create_table(
        "case_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"], name=op.f("fk_case_notes_author_id_users")),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_notes_case_id_cases"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_notes")),
    )
    with op.batch_alter_table("case_notes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_notes_case_id"), ["case_id"], unique=False)

    op.create_table(
        "communications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column(
            "channel",
            sa.Enum("email", "phone", "letter", "meeting", "portal", name="channel", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("from_name", sa.String(length=200), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("responded_on", sa.Date(), nullable=True),
        sa.Column("response_summary", sa.Text(), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_communications_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["users.id"], name=op.f("fk_communications_recorded_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_communications")),
    )
    with op.batch_alter_table("communications", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_communications_case_id"), ["case_id"], unique=False)

    op.create_table(
        "consultations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("setting_name", sa.String(length=200), nullable=False),
        sa.Column("sent_on", sa.Date(), nullable=False),
        sa.Column("responded_on", sa.Date(), nullable=True),
        sa.Column("outcome", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_consultations_case_id_cases"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultations")),
    )
    with op.batch_alter_table("consultations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_consultations_case_id"), ["case_id"], unique=False)

    op.create_table(
        "milestones",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("ref", sa.String(length=40), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("anchor_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("met_on", sa.Date(), nullable=True),
        sa.Column("is_period", sa.Boolean(), nullable=False),
        sa.Column("exception_applies", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_milestones_case_id_cases"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_milestones")),
        sa.UniqueConstraint("case_id", "key", "ref", name="uq_milestones_case_key_ref"),
    )
    with op.batch_alter_table("milestones", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_milestones_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_milestones_due_on"), ["due_on"], unique=False)
        batch_op.create_index("ix_milestones_open_due", ["met_on", "due_on"], unique=False)


def downgrade():
    with op.batch_alter_table("milestones", schema=None) as batch_op:
        batch_op.drop_index("ix_milestones_open_due")
        batch_op.drop_index(batch_op.f("ix_milestones_due_on"))
        batch_op.drop_index(batch_op.f("ix_milestones_case_id"))

    op.drop_table("milestones")
    with op.batch_alter_table("consultations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consultations_case_id"))

    op.drop_table("consultations")
    with op.batch_alter_table("communications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_communications_case_id"))

    op.drop_table("communications")
    with op.batch_alter_table("case_notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_notes_case_id"))

    op.drop_table("case_notes")
    with op.batch_alter_table("case_exceptions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_exceptions_case_id"))

    op.drop_table("case_exceptions")
    with op.batch_alter_table("case_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_events_case_id"))

    op.drop_table("case_events")
    with op.batch_alter_table("case_assignments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_assignments_case_id"))

    op.drop_table("case_assignments")
    with op.batch_alter_table("advice_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_advice_requests_case_id"))

    op.drop_table("advice_requests")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_team_status")
        batch_op.drop_index(batch_op.f("ix_cases_next_due_on"))
        batch_op.drop_index("ix_cases_coordinator_status")
        batch_op.drop_index(batch_op.f("ix_cases_child_id"))

    op.drop_table("cases")
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plans_child_id"))

    op.drop_table("plans")
    with op.batch_alter_table("child_contacts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_child_contacts_child_id"))

    op.drop_table("child_contacts")
    with op.batch_alter_table("children", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_children_upn"))
        batch_op.drop_index("ix_children_team_names")
        batch_op.drop_index(batch_op.f("ix_children_date_of_birth"))

    op.drop_table("children")

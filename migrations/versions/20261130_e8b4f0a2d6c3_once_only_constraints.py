"""Database constraints behind the rules that say once.

Revision ID: e8b4f0a2d6c3
Revises: d7a3e9f1c5b2
Created: 2026-11-30 20:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "e8b4f0a2d6c3"
down_revision = "d7a3e9f1c5b2"
branch_labels = None
depends_on = None


ONCE_ONLY_EVENTS = (
    "decided_to_assess",
    "decided_not_to_assess",
    "decided_to_issue",
    "decided_not_to_issue",
    "draft_plan_issued",
    "final_plan_issued",
    "withdrawn",
    "invitations_sent",
    "review_meeting_held",
    "review_report_received",
    "review_decision_notified",
    "amendments_proposed",
    "amended_plan_issued",
    "decided_not_to_amend",
    "plan_ceased",
    "transfer_notice_sent",
)
ONCE_ONLY = "event_type IN (" + ", ".join(f"'{e}'" for e in ONCE_ONLY_EVENTS) + ")"
OPEN_REVIEW = "status = 'open' AND case_type = 'annual_review'"
OPEN_ASSESSMENT = "status = 'open' AND case_type IN ('assessment', 'reassessment')"


def upgrade():
    with op.batch_alter_table("case_events", schema=None) as batch_op:
        batch_op.create_index(
            "uq_case_events_once",
            ["case_id", "event_type"],
            unique=True,
            sqlite_where=sa.text(ONCE_ONLY),
            postgresql_where=sa.text(ONCE_ONLY),
        )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index(
            "uq_cases_one_open_review",
            ["child_id"],
            unique=True,
            sqlite_where=sa.text(OPEN_REVIEW),
            postgresql_where=sa.text(OPEN_REVIEW),
        )
        batch_op.create_index(
            "uq_cases_one_open_assessment",
            ["child_id"],
            unique=True,
            sqlite_where=sa.text(OPEN_ASSESSMENT),
            postgresql_where=sa.text(OPEN_ASSESSMENT),
        )


def downgrade():
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("uq_cases_one_open_assessment")
        batch_op.drop_index("uq_cases_one_open_review")
    with op.batch_alter_table("case_events", schema=None) as batch_op:
        batch_op.drop_index("uq_case_events_once")

"""The dispute steps join the database's once-only guard.

A dispute's steps (mediation requested, certificate issued, mediation held, agreement recorded,
appeal registered, response sent, not opposed, hearing held, outcome, closed) happen at most once
on a case, like the assessment's decisions: the partial unique index on case events is rebuilt
with them, so two people recording the same step at the same moment cannot both succeed.

Revision ID: f6c5f6a7b8c9
Revises: f5b4e5f6a7b8
Created: 2026-12-01 03:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "f6c5f6a7b8c9"
down_revision = "f5b4e5f6a7b8"
branch_labels = None
depends_on = None


PREVIOUS_ONCE_ONLY_EVENTS = (
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
ONCE_ONLY_EVENTS = (
    *PREVIOUS_ONCE_ONLY_EVENTS,
    "mediation_requested",
    "mediation_certificate_issued",
    "mediation_held",
    "mediation_agreement_recorded",
    "appeal_registered",
    "tribunal_response_sent",
    "appeal_not_opposed",
    "hearing_held",
    "appeal_outcome",
    "dispute_closed",
)


def _where(events):
    return "event_type IN (" + ", ".join(f"'{e}'" for e in events) + ")"


def _rebuild(events):
    with op.batch_alter_table("case_events", schema=None) as batch_op:
        batch_op.drop_index("uq_case_events_once")
        batch_op.create_index(
            "uq_case_events_once",
            ["case_id", "event_type"],
            unique=True,
            sqlite_where=sa.text(_where(events)),
            postgresql_where=sa.text(_where(events)),
        )


def upgrade():
    _rebuild(ONCE_ONLY_EVENTS)


def downgrade():
    _rebuild(PREVIOUS_ONCE_ONLY_EVENTS)

"""Outbox hardening: messages that cannot be built, per-destination back-off.

Revision ID: c6f2d8e0b4a1
Revises: b5e1c7d9a3f2
Created: 2026-11-30 20:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "c6f2d8e0b4a1"
down_revision = "b5e1c7d9a3f2"
branch_labels = None
depends_on = None


def upgrade():
    # Why a failed message was given up on (refused, cannot be built, attempts, age).
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "gave_up_reason",
                sa.Enum("refused", "unbuildable", "attempts", "age", name="giveupreason", native_enum=False, length=20),
                nullable=True,
            )
        )

    # The back-off of each destination (the mail server), so an outage charges no message an attempt.
    op.create_table(
        "outbox_destinations",
        sa.Column("destination", sa.String(length=200), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("failing_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("destination", name=op.f("pk_outbox_destinations")),
    )

    # A run's last sign of life: a "running" run silent for too long is marked failed.
    with op.batch_alter_table("job_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("job_runs", schema=None) as batch_op:
        batch_op.drop_column("heartbeat_at")

    op.drop_table("outbox_destinations")

    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_column("gave_up_reason")

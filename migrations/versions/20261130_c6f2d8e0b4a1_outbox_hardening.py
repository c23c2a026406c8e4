"""Outbox hardening: messages that cannot be built, per-destination back-off.

Revision ID: c6f2d8e0b4a1
Revises: b5e1c7d9a3f2
Created: 2026-11-30 20:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'c6f2d8e0b4a1'
down_revision = 'b5e1c7d9a3f2'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass

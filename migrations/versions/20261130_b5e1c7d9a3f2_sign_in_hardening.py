"""Sign-in hardening: server-side sign-in code tries and session ends.

Revision ID: b5e1c7d9a3f2
Revises: a7c3e9d1b2f4
Created: 2026-11-30 20:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'b5e1c7d9a3f2'
down_revision = 'a7c3e9d1b2f4'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass

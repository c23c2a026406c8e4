"""Database constraints behind the rules that say once.

Revision ID: e8b4f0a2d6c3
Revises: d7a3e9f1c5b2
Created: 2026-11-30 20:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'e8b4f0a2d6c3'
down_revision = 'd7a3e9f1c5b2'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass

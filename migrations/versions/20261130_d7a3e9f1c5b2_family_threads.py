"""Family message threads: each account sees its own.

Revision ID: d7a3e9f1c5b2
Revises: c6f2d8e0b4a1
Created: 2026-11-30 20:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'd7a3e9f1c5b2'
down_revision = 'c6f2d8e0b4a1'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass

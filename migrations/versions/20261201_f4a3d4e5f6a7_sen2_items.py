"""Items the SEN2 return needs that the records did not hold, and the return's header settings.

Revision ID: f4a3d4e5f6a7
Revises: f3e2c3d4e5f6
Created: 2026-12-01 00:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'f4a3d4e5f6a7'
down_revision = 'f3e2c3d4e5f6'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass

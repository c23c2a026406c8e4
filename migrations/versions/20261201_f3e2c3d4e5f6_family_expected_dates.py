"""The date a coordinator now expects a missed step, and staff contact phone numbers.

Revision ID: f3e2c3d4e5f6
Revises: f2d1b2c3d4e5
Created: 2026-12-01 00:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'f3e2c3d4e5f6'
down_revision = 'f2d1b2c3d4e5'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass

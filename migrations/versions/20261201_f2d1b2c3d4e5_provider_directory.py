"""A directory of providers and settings used by advice, consultations and plans.

Revision ID: f2d1b2c3d4e5
Revises: f1c0a1b2c3d4
Created: 2026-12-01 00:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'f2d1b2c3d4e5'
down_revision = 'f1c0a1b2c3d4'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass

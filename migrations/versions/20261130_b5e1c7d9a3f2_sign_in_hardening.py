"""Sign-in hardening: server-side sign-in code tries and session ends.

Revision ID: b5e1c7d9a3f2
Revises: a7c3e9d1b2f4
Created: 2026-11-30 20:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "b5e1c7d9a3f2"
down_revision = "a7c3e9d1b2f4"
branch_labels = None
depends_on = None


def upgrade():
    # The emailed sign-in code's hash and its wrong tries live on the server, not in the cookie.
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sign_in_code_digest", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("sign_in_code_tries", sa.Integer(), server_default="0", nullable=False))


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("sign_in_code_tries")
        batch_op.drop_column("sign_in_code_digest")

"""Family accounts: invitations, links to children, and messages from families.

Revision ID: 822dff7a3fed
Revises: 9eab65506e77
Created: 2026-11-23 11:59:48.098200
"""

import sqlalchemy as sa
from alembic import op

revision = "822dff7a3fed"
down_revision = "9eab65506e77"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "family_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column(
            "relationship_to_child",
            sa.Enum("parent", "young_person", name="familyrelationship", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["child_id"], ["children.id"], name=op.f("fk_family_links_child_id_children"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_family_links_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_family_links")),
        sa.UniqueConstraint("user_id", "child_id", name="uq_family_links_user_child"),
    )
    with op.batch_alter_table("family_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_family_links_child_id"), ["child_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_family_links_user_id"), ["user_id"], unique=False)

    op.create_table(
        "family_invitations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column(
            "relationship_to_child",
            sa.Enum("parent", "young_person", name="familyrelationship", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("invited_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_family_invitations_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["child_id"], ["children.id"], name=op.f("fk_family_invitations_child_id_children"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["invited_by_id"], ["users.id"], name=op.f("fk_family_invitations_invited_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_family_invitations")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_family_invitations_token_hash")),
    )
    with op.batch_alter_table("family_invitations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_family_invitations_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_family_invitations_child_id"), ["child_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_family_invitations_created_at"), ["created_at"], unique=False)

    with op.batch_alter_table("communications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("family_user_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_communications_family_user_id"), ["family_user_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_communications_family_user_id_users"), "users", ["family_user_id"], ["id"]
        )


def downgrade():
    with op.batch_alter_table("communications", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_communications_family_user_id_users"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_communications_family_user_id"))
        batch_op.drop_column("family_user_id")

    with op.batch_alter_table("family_invitations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_family_invitations_created_at"))
        batch_op.drop_index(batch_op.f("ix_family_invitations_child_id"))
        batch_op.drop_index(batch_op.f("ix_family_invitations_case_id"))

    op.drop_table("family_invitations")
    with op.batch_alter_table("family_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_family_links_user_id"))
        batch_op.drop_index(batch_op.f("ix_family_links_child_id"))

    op.drop_table("family_links")

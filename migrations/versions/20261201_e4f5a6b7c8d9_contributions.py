"""Contributions straight into the case: professionals' advice and families' views.

Professional accounts of a provider and their invitations, the documents attached to an advice
request, advice returned through the service, families' views and representations, and the
provider's named contact for overdue advice.

Revision ID: e4f5a6b7c8d9
Revises: d3e4f5a6b7c8
Created: 2026-12-01 06:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "e4f5a6b7c8d9"
down_revision = "d3e4f5a6b7c8"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "provider_memberships",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("directory_entry_id", sa.Integer(), nullable=False),
        sa.Column("is_manager", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["directory_entry_id"],
            ["directory_entries.id"],
            name=op.f("fk_provider_memberships_directory_entry_id_directory_entries"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_provider_memberships_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provider_memberships")),
        sa.UniqueConstraint("user_id", name=op.f("uq_provider_memberships_user_id")),
    )
    with op.batch_alter_table("provider_memberships", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_provider_memberships_directory_entry_id"), ["directory_entry_id"], unique=False
        )

    op.create_table(
        "professional_invitations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("advice_request_id", sa.Integer(), nullable=False),
        sa.Column("directory_entry_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("invited_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["advice_request_id"],
            ["advice_requests.id"],
            name=op.f("fk_professional_invitations_advice_request_id_advice_requests"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["directory_entry_id"],
            ["directory_entries.id"],
            name=op.f("fk_professional_invitations_directory_entry_id_directory_entries"),
        ),
        sa.ForeignKeyConstraint(
            ["invited_by_id"], ["users.id"], name=op.f("fk_professional_invitations_invited_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_professional_invitations")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_professional_invitations_token_hash")),
    )
    with op.batch_alter_table("professional_invitations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_professional_invitations_advice_request_id"), ["advice_request_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_professional_invitations_created_at"), ["created_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_professional_invitations_directory_entry_id"), ["directory_entry_id"], unique=False
        )

    op.create_table(
        "advice_request_documents",
        sa.Column("advice_request_id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["advice_request_id"],
            ["advice_requests.id"],
            name=op.f("fk_advice_request_documents_advice_request_id_advice_requests"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_advice_request_documents_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("advice_request_id", "document_id", name=op.f("pk_advice_request_documents")),
    )
    op.create_table(
        "advice_returns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("advice_request_id", sa.Integer(), nullable=False),
        sa.Column("professional_id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("needs", sa.Text(), nullable=False),
        sa.Column("outcomes", sa.Text(), nullable=False),
        sa.Column("provision", sa.Text(), nullable=False),
        sa.Column("given_by", sa.String(length=120), nullable=False),
        sa.Column("provider_name", sa.String(length=200), nullable=False),
        sa.Column("dated_on", sa.Date(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["advice_request_id"],
            ["advice_requests.id"],
            name=op.f("fk_advice_returns_advice_request_id_advice_requests"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name=op.f("fk_advice_returns_document_id_documents")
        ),
        sa.ForeignKeyConstraint(
            ["professional_id"], ["users.id"], name=op.f("fk_advice_returns_professional_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_advice_returns")),
        sa.UniqueConstraint("advice_request_id", name=op.f("uq_advice_returns_advice_request_id")),
    )
    op.create_table(
        "family_contributions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("views", "representations", name="contributionkind", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("preferred_setting", sa.String(length=200), nullable=True),
        sa.Column("document_id", sa.Integer(), nullable=True),
        sa.Column("communication_id", sa.Integer(), nullable=False),
        sa.Column("submitted_on", sa.Date(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_family_contributions_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["communication_id"],
            ["communications.id"],
            name=op.f("fk_family_contributions_communication_id_communications"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name=op.f("fk_family_contributions_document_id_documents")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_family_contributions_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_family_contributions")),
    )
    with op.batch_alter_table("family_contributions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_family_contributions_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_family_contributions_user_id"), ["user_id"], unique=False)

    with op.batch_alter_table("advice_requests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("professional_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("question", sa.Text(), nullable=True))
        batch_op.create_index(batch_op.f("ix_advice_requests_professional_id"), ["professional_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_advice_requests_professional_id_users"), "users", ["professional_id"], ["id"]
        )

    with op.batch_alter_table("directory_entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("contact_name", sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column("contact_email", sa.String(length=254), nullable=True))


def downgrade():
    with op.batch_alter_table("directory_entries", schema=None) as batch_op:
        batch_op.drop_column("contact_email")
        batch_op.drop_column("contact_name")

    with op.batch_alter_table("advice_requests", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_advice_requests_professional_id_users"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_advice_requests_professional_id"))
        batch_op.drop_column("question")
        batch_op.drop_column("professional_id")

    with op.batch_alter_table("family_contributions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_family_contributions_user_id"))
        batch_op.drop_index(batch_op.f("ix_family_contributions_case_id"))

    op.drop_table("family_contributions")
    op.drop_table("advice_returns")
    op.drop_table("advice_request_documents")
    with op.batch_alter_table("professional_invitations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_professional_invitations_directory_entry_id"))
        batch_op.drop_index(batch_op.f("ix_professional_invitations_created_at"))
        batch_op.drop_index(batch_op.f("ix_professional_invitations_advice_request_id"))

    op.drop_table("professional_invitations")
    with op.batch_alter_table("provider_memberships", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_provider_memberships_directory_entry_id"))

    op.drop_table("provider_memberships")

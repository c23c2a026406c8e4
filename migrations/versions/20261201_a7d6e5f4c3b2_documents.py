"""Documents attached to children, cases and their steps; a plan points at its final document.

Revision ID: a7d6e5f4c3b2
Revises: f6c5f6a7b8c9
Created: 2026-12-01 05:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "a7d6e5f4c3b2"
down_revision = "f6c5f6a7b8c9"
branch_labels = None
depends_on = None

KINDS = (
    "request",
    "advice",
    "draft_plan",
    "final_plan",
    "amended_plan",
    "review_report",
    "exception_evidence",
    "correspondence",
    "dispute",
    "other",
)
INDEXED = ("child_id", "case_id", "advice_request_id", "plan_id", "exception_id", "communication_id", "uploaded_at")


def upgrade():
    op.create_table(
        "documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("advice_request_id", sa.Integer(), nullable=True),
        sa.Column("plan_id", sa.Integer(), nullable=True),
        sa.Column("exception_id", sa.Integer(), nullable=True),
        sa.Column("communication_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.Enum(*KINDS, name="documentkind", native_enum=False, length=40), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("dated_on", sa.Date(), nullable=False),
        sa.Column("supplied_by", sa.String(length=200), nullable=False),
        sa.Column("version_number", sa.Integer(), nullable=True),
        sa.Column("storage_key", sa.String(length=200), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("shared_with_family_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("shared_by_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_by_id", sa.Integer(), nullable=True),
        sa.Column("deletion_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["advice_request_id"], ["advice_requests.id"], name=op.f("fk_documents_advice_request_id_advice_requests")
        ),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_documents_case_id_cases")),
        sa.ForeignKeyConstraint(["child_id"], ["children.id"], name=op.f("fk_documents_child_id_children")),
        sa.ForeignKeyConstraint(
            ["communication_id"], ["communications.id"], name=op.f("fk_documents_communication_id_communications")
        ),
        sa.ForeignKeyConstraint(["deleted_by_id"], ["users.id"], name=op.f("fk_documents_deleted_by_id_users")),
        sa.ForeignKeyConstraint(
            ["exception_id"], ["case_exceptions.id"], name=op.f("fk_documents_exception_id_case_exceptions")
        ),
        sa.ForeignKeyConstraint(["plan_id"], ["plans.id"], name=op.f("fk_documents_plan_id_plans")),
        sa.ForeignKeyConstraint(["shared_by_id"], ["users.id"], name=op.f("fk_documents_shared_by_id_users")),
        sa.ForeignKeyConstraint(["uploaded_by_id"], ["users.id"], name=op.f("fk_documents_uploaded_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
        sa.UniqueConstraint("storage_key", name=op.f("uq_documents_storage_key")),
    )
    with op.batch_alter_table("documents", schema=None) as batch_op:
        for column in INDEXED:
            batch_op.create_index(batch_op.f(f"ix_documents_{column}"), [column], unique=False)
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.add_column(sa.Column("final_document_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_plans_final_document_id_documents"), "documents", ["final_document_id"], ["id"]
        )


def downgrade():
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_plans_final_document_id_documents"), type_="foreignkey")
        batch_op.drop_column("final_document_id")
    with op.batch_alter_table("documents", schema=None) as batch_op:
        for column in reversed(INDEXED):
            batch_op.drop_index(batch_op.f(f"ix_documents_{column}"))
    op.drop_table("documents")

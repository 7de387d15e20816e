"""CRM: contact history (customer notes), estimates with their lines, customer-care reminder
rules.

Revision ID: 0003_crm
Revises: 0002_billing
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0003_crm"
down_revision: str | None = "0002_billing"
branch_labels: str | tuple[str, ...] | None = None
depends_on: str | tuple[str, ...] | None = None


def _enum(*values: str, name: str) -> sa.Enum:
    """The portable enum of ``crm.db.enum_column``: VARCHAR(20)."""
    return sa.Enum(*values, name=name, native_enum=False, length=20)


def upgrade() -> None:
    op.create_table(
        "customer_note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.Column("kind", _enum("call", "email", "visit", "note", name="notekind"),
                  nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), server_default=sa.func.now(),
                  nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name=op.f("fk_customer_note_customer_id_customer")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_note")),
    )
    op.create_index(op.f("ix_customer_note_customer_id"), "customer_note", ["customer_id"])
    op.create_table(
        "estimate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            _enum("draft", "sent", "accepted", "declined", "scheduled", name="estimatestatus"),
            nullable=False,
        ),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(),
                  nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name=op.f("fk_estimate_customer_id_customer")
        ),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"], name=op.f("fk_estimate_site_id_site")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_estimate")),
        sa.UniqueConstraint("number", name=op.f("uq_estimate_number")),
    )
    op.create_index(op.f("ix_estimate_customer_id"), "estimate", ["customer_id"])
    op.create_table(
        "estimate_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("estimate_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("service_type_id", sa.Integer(), nullable=False),
        sa.Column("description", sa.String(length=300), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=9, scale=2), nullable=False),
        sa.Column("unit_price", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("tax_rate", sa.Numeric(precision=5, scale=4), nullable=False),
        sa.Column("frequency_unit", _enum("week", "month", name="frequencyunit"),
                  nullable=True),
        sa.Column("frequency_interval", sa.Integer(), nullable=False),
        sa.Column("visits_per_period", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_estimate_line_positive_quantity")),
        sa.CheckConstraint("unit_price >= 0", name=op.f("ck_estimate_line_non_negative_price")),
        sa.ForeignKeyConstraint(
            ["agreement_id"], ["agreement.id"],
            name=op.f("fk_estimate_line_agreement_id_agreement"),
        ),
        sa.ForeignKeyConstraint(
            ["estimate_id"], ["estimate.id"],
            name=op.f("fk_estimate_line_estimate_id_estimate"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["service_type_id"], ["service_type.id"],
            name=op.f("fk_estimate_line_service_type_id_service_type"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_estimate_line")),
    )
    op.create_index(op.f("ix_estimate_line_estimate_id"), "estimate_line", ["estimate_id"])
    op.create_table(
        "reminder_rule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            _enum("no_visit_days", "agreement_ending", "season_starting", name="reminderkind"),
            nullable=False,
        ),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.CheckConstraint("days > 0", name=op.f("ck_reminder_rule_positive_days")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_rule")),
    )


def downgrade() -> None:
    op.drop_table("reminder_rule")
    op.drop_index(op.f("ix_estimate_line_estimate_id"), table_name="estimate_line")
    op.drop_table("estimate_line")
    op.drop_index(op.f("ix_estimate_customer_id"), table_name="estimate")
    op.drop_table("estimate")
    op.drop_index(op.f("ix_customer_note_customer_id"), table_name="customer_note")
    op.drop_table("customer_note")

"""Billing: completed visits, invoices (and credit notes) with their lines, payments, and the
per-year counter that numbers invoices without gaps.

Revision ID: 0002_billing
Revises: 0001_initial
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0002_billing"
down_revision: str | None = "0001_initial"
branch_labels: str | tuple[str, ...] | None = None
depends_on: str | tuple[str, ...] | None = None


def _enum(*values: str, name: str) -> sa.Enum:
    """The portable enum of ``crm.db.enum_column``: VARCHAR(20) with a CHECK."""
    return sa.Enum(*values, name=name, native_enum=False, length=20)


def _money(name: str) -> sa.Column:
    return sa.Column(name, sa.Numeric(precision=12, scale=2), nullable=False)


def _created_at() -> sa.Column:
    return sa.Column(
        "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
    )


def upgrade() -> None:
    op.create_table(
        "number_sequence",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_number_sequence")),
    )
    op.create_table(
        "invoice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("kind", _enum("invoice", "credit_note", name="invoicekind"), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("credits_invoice_id", sa.Integer(), nullable=True),
        sa.Column("issue_date", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=True),
        sa.Column(
            "status",
            _enum("draft", "sent", "paid", "overdue", "void", name="invoicestatus"),
            nullable=False,
        ),
        _money("subtotal"),
        _money("tax_total"),
        _money("total"),
        sa.Column("note", sa.Text(), nullable=True),
        _created_at(),
        sa.ForeignKeyConstraint(
            ["credits_invoice_id"],
            ["invoice.id"],
            name=op.f("fk_invoice_credits_invoice_id_invoice"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name=op.f("fk_invoice_customer_id_customer")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoice")),
        sa.UniqueConstraint("number", name=op.f("uq_invoice_number")),
    )
    op.create_index(op.f("ix_invoice_customer_id"), "invoice", ["customer_id"])
    op.create_index(op.f("ix_invoice_period"), "invoice", ["period"])
    op.create_table(
        "payment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=True),
        _money("amount"),
        sa.Column(
            "method", _enum("cash", "check", "card", "transfer", name="paymentmethod"),
            nullable=False,
        ),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=True),
        _created_at(),
        sa.CheckConstraint("amount > 0", name=op.f("ck_payment_positive_amount")),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name=op.f("fk_payment_customer_id_customer")
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["invoice.id"], name=op.f("fk_payment_invoice_id_invoice")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment")),
    )
    op.create_index(op.f("ix_payment_customer_id"), "payment", ["customer_id"])
    op.create_index(op.f("ix_payment_invoice_id"), "payment", ["invoice_id"])
    op.create_table(
        "visit_completion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("crew_id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("planned_visit_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        _created_at(),
        sa.CheckConstraint(
            "ended_at >= started_at", name=op.f("ck_visit_completion_end_after_start")
        ),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreement.id"],
            name=op.f("fk_visit_completion_agreement_id_agreement"),
        ),
        sa.ForeignKeyConstraint(
            ["crew_id"], ["crew.id"], name=op.f("fk_visit_completion_crew_id_crew")
        ),
        sa.ForeignKeyConstraint(
            ["planned_visit_id"],
            ["planned_visit.id"],
            name=op.f("fk_visit_completion_planned_visit_id_planned_visit"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visit_completion")),
        sa.UniqueConstraint(
            "agreement_id", "date", name=op.f("uq_visit_completion_agreement_id_date")
        ),
    )
    op.create_index(
        op.f("ix_visit_completion_agreement_id"), "visit_completion", ["agreement_id"]
    )
    op.create_index(op.f("ix_visit_completion_date"), "visit_completion", ["date"])
    op.create_table(
        "invoice_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("completion_id", sa.Integer(), nullable=True),
        sa.Column("service_code", sa.String(length=40), nullable=False),
        sa.Column("service_date", sa.Date(), nullable=True),
        sa.Column("description", sa.String(length=300), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=9, scale=2), nullable=False),
        _money("unit_price"),
        sa.Column("tax_rate", sa.Numeric(precision=5, scale=4), nullable=False),
        _money("amount"),
        _money("tax_amount"),
        _money("line_total"),
        sa.ForeignKeyConstraint(
            ["completion_id"],
            ["visit_completion.id"],
            name=op.f("fk_invoice_line_completion_id_visit_completion"),
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["invoice.id"],
            name=op.f("fk_invoice_line_invoice_id_invoice"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoice_line")),
        sa.UniqueConstraint("completion_id", name=op.f("uq_invoice_line_completion_id")),
    )
    op.create_index(op.f("ix_invoice_line_invoice_id"), "invoice_line", ["invoice_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_invoice_line_invoice_id"), table_name="invoice_line")
    op.drop_table("invoice_line")
    op.drop_index(op.f("ix_visit_completion_date"), table_name="visit_completion")
    op.drop_index(op.f("ix_visit_completion_agreement_id"), table_name="visit_completion")
    op.drop_table("visit_completion")
    op.drop_index(op.f("ix_payment_invoice_id"), table_name="payment")
    op.drop_index(op.f("ix_payment_customer_id"), table_name="payment")
    op.drop_table("payment")
    op.drop_index(op.f("ix_invoice_period"), table_name="invoice")
    op.drop_index(op.f("ix_invoice_customer_id"), table_name="invoice")
    op.drop_table("invoice")
    op.drop_table("number_sequence")

"""The initial schema: the CRM tables (customers, sites, agreements, crews, services, users,
geocode cache) and the planning tables (plans, planned and unplaced visits, edits, exceptions,
notices, planning runs and their lock).

Revision ID: 0001_initial
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0001_initial"
down_revision: str | None = None
branch_labels: str | tuple[str, ...] | None = None
depends_on: str | tuple[str, ...] | None = None


def upgrade() -> None:
    op.create_table(
        "crew",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("skills", sa.JSON(), nullable=False),
        sa.Column("start_lat", sa.Float(), nullable=False),
        sa.Column("start_lon", sa.Float(), nullable=False),
        sa.Column("end_lat", sa.Float(), nullable=False),
        sa.Column("end_lon", sa.Float(), nullable=False),
        sa.Column("lunch_min", sa.Integer(), nullable=False),
        sa.Column("lunch_start_min", sa.Integer(), nullable=False),
        sa.Column("lunch_end_min", sa.Integer(), nullable=False),
        sa.Column("hourly_cost", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("colour", sa.String(length=7), nullable=False),
        sa.Column("region", sa.String(length=100), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crew")),
        sa.UniqueConstraint("external_id", name=op.f("uq_crew_external_id")),
    )
    op.create_table(
        "customer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "prospect",
                "active",
                "inactive",
                name="customerstatus",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("email", sa.String(length=200), nullable=True),
        sa.Column("phone", sa.String(length=50), nullable=True),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer")),
        sa.UniqueConstraint("external_id", name=op.f("uq_customer_external_id")),
    )
    op.create_table(
        "geocode_cache",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider", sa.String(length=40), nullable=False),
        sa.Column("query", sa.String(length=300), nullable=False),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("display_name", sa.String(length=400), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_geocode_cache")),
    )
    op.create_index(op.f("ix_geocode_cache_query"), "geocode_cache", ["query"])
    op.create_table(
        "holiday",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("region", sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_holiday")),
        sa.UniqueConstraint("date", "region", name=op.f("uq_holiday_date_region")),
    )
    op.create_table(
        "plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("week_start", sa.Date(), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "draft", "published", "superseded", name="planstatus", native_enum=False, length=20
            ),
            nullable=False,
        ),
        sa.Column("based_on_id", sa.Integer(), nullable=True),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("kpis", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lock_version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["based_on_id"], ["plan.id"], name=op.f("fk_plan_based_on_id_plan")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan")),
        sa.UniqueConstraint("week_start", "version", name=op.f("uq_plan_week_start_version")),
    )
    op.create_index(op.f("ix_plan_week_start"), "plan", ["week_start"])
    op.create_table(
        "run_lock",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("holder", sa.String(length=200), nullable=False),
        sa.Column("acquired_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_run_lock")),
    )
    op.create_table(
        "service_type",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("default_duration_min", sa.Integer(), nullable=False),
        sa.Column("default_price", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("required_skill", sa.String(length=40), nullable=True),
        sa.Column("tax_rate", sa.Numeric(precision=5, scale=4), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_type")),
        sa.UniqueConstraint("code", name=op.f("uq_service_type_code")),
    )
    op.create_table(
        "contact",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=200), nullable=True),
        sa.Column("phone", sa.String(length=50), nullable=True),
        sa.Column("role", sa.String(length=50), nullable=True),
        sa.Column("is_primary", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
            name=op.f("fk_contact_customer_id_customer"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact")),
    )
    op.create_table(
        "crew_shift",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("crew_id", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("start_min", sa.Integer(), nullable=False),
        sa.Column("end_min", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["crew_id"], ["crew.id"], name=op.f("fk_crew_shift_crew_id_crew"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crew_shift")),
        sa.UniqueConstraint("crew_id", "weekday", name=op.f("uq_crew_shift_crew_id_weekday")),
    )
    op.create_table(
        "plan_edit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("user", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column(
            "at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plan.id"], name=op.f("fk_plan_edit_plan_id_plan"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_edit")),
    )
    op.create_index(op.f("ix_plan_edit_plan_id"), "plan_edit", ["plan_id"])
    op.create_table(
        "planning_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column(
            "started_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "running", "succeeded", "failed", name="runstatus", native_enum=False, length=20
            ),
            nullable=False,
        ),
        sa.Column("plan_id", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plan.id"], name=op.f("fk_planning_run_plan_id_plan")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_planning_run")),
    )
    op.create_table(
        "site",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column(
            "geocode_status",
            sa.Enum(
                "provided",
                "geocoded",
                "failed",
                "pending",
                name="geocodestatus",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("access_notes", sa.Text(), nullable=True),
        sa.Column("required_skills", sa.JSON(), nullable=False),
        sa.Column("region", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name=op.f("fk_site_customer_id_customer")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_site")),
        sa.UniqueConstraint("external_id", name=op.f("uq_site_external_id")),
    )
    op.create_index(op.f("ix_site_customer_id"), "site", ["customer_id"])
    op.create_table(
        "user_account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column(
            "role",
            sa.Enum("owner", "dispatcher", "crew", name="role", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("password_hash", sa.String(length=300), nullable=False),
        sa.Column("crew_id", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["crew_id"], ["crew.id"], name=op.f("fk_user_account_crew_id_crew")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_account")),
        sa.UniqueConstraint("email", name=op.f("uq_user_account_email")),
    )
    op.create_table(
        "agreement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("service_type_id", sa.Integer(), nullable=False),
        sa.Column(
            "frequency_unit",
            sa.Enum("week", "month", name="frequencyunit", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("frequency_interval", sa.Integer(), nullable=False),
        sa.Column("visits_per_period", sa.Integer(), nullable=False),
        sa.Column("day_patterns", sa.JSON(), nullable=False),
        sa.Column("min_spacing_days", sa.Integer(), nullable=False),
        sa.Column("tw_start_min", sa.Integer(), nullable=True),
        sa.Column("tw_end_min", sa.Integer(), nullable=True),
        sa.Column("duration_min", sa.Integer(), nullable=False),
        sa.Column("price", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("season_start", sa.String(length=5), nullable=True),
        sa.Column("season_end", sa.String(length=5), nullable=True),
        sa.Column("preferred_crew_id", sa.Integer(), nullable=True),
        sa.Column("preferred_weekday", sa.Integer(), nullable=True),
        sa.Column("current_crew_id", sa.Integer(), nullable=True),
        sa.Column("current_days", sa.JSON(), nullable=False),
        sa.Column("anchor_date", sa.Date(), nullable=True),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "active", "paused", "ended", name="agreementstatus", native_enum=False, length=20
            ),
            nullable=False,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["current_crew_id"], ["crew.id"], name=op.f("fk_agreement_current_crew_id_crew")
        ),
        sa.ForeignKeyConstraint(
            ["preferred_crew_id"], ["crew.id"], name=op.f("fk_agreement_preferred_crew_id_crew")
        ),
        sa.ForeignKeyConstraint(
            ["service_type_id"],
            ["service_type.id"],
            name=op.f("fk_agreement_service_type_id_service_type"),
        ),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"], name=op.f("fk_agreement_site_id_site")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreement")),
        sa.UniqueConstraint("external_id", name=op.f("uq_agreement_external_id")),
    )
    op.create_index(op.f("ix_agreement_site_id"), "agreement", ["site_id"])
    op.create_table(
        "notice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("before", sa.Text(), nullable=True),
        sa.Column("after", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["agreement_id"], ["agreement.id"], name=op.f("fk_notice_agreement_id_agreement")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name=op.f("fk_notice_customer_id_customer")
        ),
        sa.ForeignKeyConstraint(["plan_id"], ["plan.id"], name=op.f("fk_notice_plan_id_plan")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notice")),
    )
    op.create_index(op.f("ix_notice_plan_id"), "notice", ["plan_id"])
    op.create_table(
        "planned_visit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("visit_index", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("crew_id", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("arrival_s", sa.Integer(), nullable=False),
        sa.Column("start_s", sa.Integer(), nullable=False),
        sa.Column("end_s", sa.Integer(), nullable=False),
        sa.Column("travel_s", sa.Integer(), nullable=False),
        sa.Column("distance_m", sa.Integer(), nullable=False),
        sa.Column("pinned", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id"], ["agreement.id"], name=op.f("fk_planned_visit_agreement_id_agreement")
        ),
        sa.ForeignKeyConstraint(
            ["crew_id"], ["crew.id"], name=op.f("fk_planned_visit_crew_id_crew")
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plan.id"], name=op.f("fk_planned_visit_plan_id_plan"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_planned_visit")),
    )
    op.create_index(op.f("ix_planned_visit_agreement_id"), "planned_visit", ["agreement_id"])
    op.create_index(op.f("ix_planned_visit_plan_id"), "planned_visit", ["plan_id"])
    op.create_table(
        "unplaced_visit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("week_start", sa.Date(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreement.id"],
            name=op.f("fk_unplaced_visit_agreement_id_agreement"),
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["plan.id"],
            name=op.f("fk_unplaced_visit_plan_id_plan"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unplaced_visit")),
    )
    op.create_index(op.f("ix_unplaced_visit_plan_id"), "unplaced_visit", ["plan_id"])
    op.create_table(
        "visit_exception",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "skip", "extra", "cancel", name="visitexceptionkind", native_enum=False, length=20
            ),
            nullable=False,
        ),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreement.id"],
            name=op.f("fk_visit_exception_agreement_id_agreement"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visit_exception")),
    )
    op.create_index(op.f("ix_visit_exception_agreement_id"), "visit_exception", ["agreement_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_visit_exception_agreement_id"), table_name="visit_exception")
    op.drop_table("visit_exception")
    op.drop_index(op.f("ix_unplaced_visit_plan_id"), table_name="unplaced_visit")
    op.drop_table("unplaced_visit")
    op.drop_index(op.f("ix_planned_visit_plan_id"), table_name="planned_visit")
    op.drop_index(op.f("ix_planned_visit_agreement_id"), table_name="planned_visit")
    op.drop_table("planned_visit")
    op.drop_index(op.f("ix_notice_plan_id"), table_name="notice")
    op.drop_table("notice")
    op.drop_index(op.f("ix_agreement_site_id"), table_name="agreement")
    op.drop_table("agreement")
    op.drop_table("user_account")
    op.drop_index(op.f("ix_site_customer_id"), table_name="site")
    op.drop_table("site")
    op.drop_table("planning_run")
    op.drop_index(op.f("ix_plan_edit_plan_id"), table_name="plan_edit")
    op.drop_table("plan_edit")
    op.drop_table("crew_shift")
    op.drop_table("contact")
    op.drop_table("service_type")
    op.drop_table("run_lock")
    op.drop_index(op.f("ix_plan_week_start"), table_name="plan")
    op.drop_table("plan")
    op.drop_table("holiday")
    op.drop_index(op.f("ix_geocode_cache_query"), table_name="geocode_cache")
    op.drop_table("geocode_cache")
    op.drop_table("customer")
    op.drop_table("crew")

"""Blueprint ``billing``: invoices (printable), payments, A/R aging, completed visits and the
customer-care reminders.

Everything here calls :mod:`crm.invoicing`, :mod:`crm.payments`, :mod:`crm.completions` and
:mod:`crm.reminders`; the views only read forms and commit.
"""

from __future__ import annotations

import datetime as dt
import io

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from crm.agreements import Agreement
from crm.billing import Invoice, InvoiceStatus, PaymentMethod, VisitCompletion
from crm.completions import CompletionError, import_completions, record_completion
from crm.customers import Customer, CustomerStatus, Site
from crm.invoicing import mark_sent
from crm.payments import BUCKETS, ar_aging, open_amounts, record_payment
from crm.reminders import KIND_LABELS, ReminderRule, ensure_default_rules, evaluate
from crm.users import Role
from dashboard import crm_forms
from dashboard.auth import roles_required
from dashboard.crm_forms import FormError
from dashboard.db import get_session
from scheduling.models import PlannedVisit
from scheduling.sheets import published_plan_for

bp = Blueprint("billing", __name__)

#: Reminders listed on the page (soonest first); the counts per rule cover all of them.
REMINDERS_SHOWN = 200


# --- invoices ----------------------------------------------------------------------------


@bp.get("/invoices")
@roles_required(Role.DISPATCHER)
def invoices() -> ResponseReturnValue:
    status = next((s for s in InvoiceStatus if s.value == request.args.get("status")), None)
    period = request.args.get("period", "").strip()[:7]
    query = (select(Invoice).options(selectinload(Invoice.customer))
             .order_by(Invoice.issue_date.desc(), Invoice.number.desc()).limit(500))
    if status is not None:
        query = query.where(Invoice.status == status)
    if period:
        query = query.where(Invoice.period == period)
    rows = get_session().scalars(query).all()
    return render_template("billing/invoices.html", invoices=rows, status=status,
                           statuses=list(InvoiceStatus), period=period)


def _invoice_or_404(invoice_id: int) -> Invoice:
    invoice = get_session().get(Invoice, invoice_id, options=[selectinload(Invoice.lines)])
    if invoice is None:
        abort(404)
    return invoice


@bp.get("/invoices/<int:invoice_id>")
@roles_required(Role.DISPATCHER)
def invoice_detail(invoice_id: int) -> ResponseReturnValue:
    session = get_session()
    invoice = _invoice_or_404(invoice_id)
    open_amount = open_amounts(session, invoice.customer_id).get(invoice.id)
    site = session.scalars(select(Site).where(Site.customer_id == invoice.customer_id)
                           .order_by(Site.id)).first()
    return render_template("billing/invoice_detail.html", invoice=invoice,
                           open_amount=open_amount, site=site)


@bp.post("/invoices/<int:invoice_id>/send")
@roles_required(Role.DISPATCHER)
def send_invoice(invoice_id: int) -> ResponseReturnValue:
    session = get_session()
    invoice = _invoice_or_404(invoice_id)
    mark_sent(session, [invoice])
    session.commit()
    flash(f"Invoice {invoice.number} marked as sent.", "success")
    return redirect(url_for("billing.invoice_detail", invoice_id=invoice.id))


# --- payments ----------------------------------------------------------------------------


@bp.route("/payments/new", methods=["GET", "POST"])
@roles_required(Role.DISPATCHER)
def new_payment() -> ResponseReturnValue:
    session = get_session()
    source = request.form if request.method == "POST" else request.args
    customer = session.get(Customer, source.get("customer_id", 0, type=int) or 0)
    if request.method == "POST" and customer is not None:
        try:
            amount = crm_forms.decimal("amount")
            if amount is None:
                raise FormError("amount is required")
            method = next((m for m in PaymentMethod if m.value == request.form.get("method")),
                          None)
            if method is None:
                raise FormError("choose how it was paid")
            invoice = None
            if invoice_id := crm_forms.integer("invoice_id"):
                invoice = session.get(Invoice, invoice_id)
            payment = record_payment(
                session, customer, amount, method,
                crm_forms.date("date", default=crm_forms.company_today()),
                invoice=invoice, reference=crm_forms.text("reference", max_len=100) or None,
            )
        except ValueError as error:
            flash(str(error), "error")
        else:
            session.commit()
            target = f" for {invoice.number}" if invoice else " on account"
            flash(f"Payment of {payment.amount:,.2f} recorded{target}.", "success")
            return redirect(url_for("customers.detail", customer_id=customer.id))
    customers = session.scalars(
        select(Customer).where(Customer.status != CustomerStatus.PROSPECT).order_by(Customer.name)
    ).all()
    open_invoices = []
    if customer is not None:
        amounts = open_amounts(session, customer.id)
        open_invoices = [
            (session.get(Invoice, i), amount) for i, amount in amounts.items() if amount > 0
        ]
    return render_template(
        "billing/payment_form.html", customer=customer, customers=customers,
        open_invoices=open_invoices, methods=list(PaymentMethod),
        today=crm_forms.company_today(),
        preselect=request.args.get("invoice_id", 0, type=int),
    )


@bp.get("/aging")
@roles_required(Role.DISPATCHER)
def aging() -> ResponseReturnValue:
    try:
        as_of = dt.date.fromisoformat(request.args.get("as_of", ""))
    except ValueError:
        as_of = crm_forms.company_today()
    report = ar_aging(get_session(), as_of)
    return render_template("billing/aging.html", report=report, buckets=BUCKETS)


# --- completed visits --------------------------------------------------------------------


@bp.get("/completions")
@roles_required(Role.DISPATCHER)
def completions() -> ResponseReturnValue:
    """The published plan's visits of a day, each with its completion or a form to record it."""
    session = get_session()
    try:
        day = dt.date.fromisoformat(request.args.get("date", ""))
    except ValueError:
        day = crm_forms.company_today()
    plan = published_plan_for(session, day)
    visits = []
    if plan is not None:
        visits = session.scalars(
            select(PlannedVisit).where(PlannedVisit.plan_id == plan.id, PlannedVisit.date == day)
            .order_by(PlannedVisit.crew_id, PlannedVisit.sequence)
            .options(selectinload(PlannedVisit.crew),
                     selectinload(PlannedVisit.agreement).selectinload(Agreement.site),
                     selectinload(PlannedVisit.agreement).selectinload(Agreement.service_type))
        ).all()
    done = {
        c.agreement_id: c for c in session.scalars(
            select(VisitCompletion).where(VisitCompletion.date == day)
            .options(selectinload(VisitCompletion.invoice_line)))
    }
    tz = crm_forms.company_tz()

    def local(moment: dt.datetime) -> str:
        aware = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)  # SQLite: naive UTC
        return aware.astimezone(tz).strftime("%H:%M")

    return render_template("billing/completions.html", day=day, plan=plan, visits=visits,
                           done=done, local=local,
                           prev_day=day - dt.timedelta(days=1),
                           next_day=day + dt.timedelta(days=1))


@bp.post("/completions")
@roles_required(Role.DISPATCHER)
def record_visit() -> ResponseReturnValue:
    """Mark a planned visit done with the actual start and end times."""
    session = get_session()
    visit = session.get(PlannedVisit, request.form.get("planned_visit_id", 0, type=int) or 0)
    if visit is None:
        abort(404)
    try:
        tz = crm_forms.company_tz()
        started = dt.datetime.combine(visit.date, crm_forms.clock("start"), tzinfo=tz)
        ended = dt.datetime.combine(visit.date, crm_forms.clock("end"), tzinfo=tz)
        record_completion(session, agreement=visit.agreement, date=visit.date, crew=visit.crew,
                          started_at=started, ended_at=ended, planned_visit_id=visit.id,
                          note=crm_forms.text("note", max_len=500) or None)
    except (FormError, CompletionError) as error:
        flash(str(error), "error")
    else:
        session.commit()
        flash(f"{visit.agreement.site.address}: done {started:%H:%M}–{ended:%H:%M}.", "success")
    return redirect(url_for("billing.completions", date=visit.date.isoformat()))


@bp.post("/completions/import")
@roles_required(Role.DISPATCHER)
def import_visits() -> ResponseReturnValue:
    """Upload a crew sheet CSV (the ``rounds completions import`` layout): all or nothing."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash("Choose a CSV file to upload.", "error")
        return redirect(url_for("billing.completions"))
    session = get_session()
    text = upload.stream.read().decode("utf-8-sig", errors="replace")
    source = io.StringIO(text)
    source.name = upload.filename  # type: ignore[attr-defined]
    dry_run = request.form.get("dry_run") == "1"
    report = import_completions(session, source, crm_forms.company_tz(), dry_run=dry_run)
    if report.errors or dry_run:
        session.rollback()
    else:
        session.commit()
    if report.errors:
        shown = "; ".join(str(e) for e in report.errors[:5])
        more = f" (and {len(report.errors) - 5} more)" if len(report.errors) > 5 else ""
        flash(f"{len(report.errors)} error(s), nothing imported: {shown}{more}", "error")
    else:
        flash(report.summary(), "success")
    return redirect(url_for("billing.completions"))


# --- reminders ---------------------------------------------------------------------------


@bp.get("/reminders")
@roles_required(Role.DISPATCHER)
def reminders() -> ResponseReturnValue:
    session = get_session()
    if ensure_default_rules(session):
        session.commit()
    today = crm_forms.company_today()
    rules = session.scalars(select(ReminderRule).order_by(ReminderRule.id)).all()
    return render_template("billing/reminders.html", reminders=evaluate(session, today),
                           rules=rules, kinds=KIND_LABELS, today=today, limit=REMINDERS_SHOWN)


@bp.post("/reminders/rules/<int:rule_id>")
@roles_required(Role.OWNER)
def update_rule(rule_id: int) -> ResponseReturnValue:
    session = get_session()
    rule = session.get(ReminderRule, rule_id)
    if rule is None:
        abort(404)
    try:
        days = crm_forms.integer("days", lo=1)
        if days is None or days > 3650:
            raise FormError("days must be between 1 and 3650")
    except FormError as error:
        flash(str(error), "error")
    else:
        rule.days = days
        rule.active = request.form.get("active") == "1"
        session.commit()
        flash(f"Rule saved: {rule.label}{'' if rule.active else ' (off)'}.", "success")
    return redirect(url_for("billing.reminders"))

"""Blueprint ``customers``: a customer's page (history, tags, balance, lifetime value),
prospects and their conversion, duplicates and merging.

The customer list itself stays at ``crm.customers`` (:func:`dashboard.queries.customer_page`).
"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from crm.agreements import Agreement
from crm.billing import Invoice
from crm.clv import lifetime_value
from crm.customers import Customer, Site, parse_tags
from crm.duplicates import MergeError, find_duplicates, merge_customers, score_pair
from crm.estimates import Estimate
from crm.notes import NoteKind, add_note, history
from crm.payments import balance, open_amounts
from crm.prospects import ConversionError, convert_to_customer, prospects
from crm.users import Role
from dashboard import crm_forms
from dashboard.auth import roles_required
from dashboard.db import get_session

bp = Blueprint("customers", __name__)


@bp.app_template_filter("local_dt")
def local_datetime(moment: dt.datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A stored instant on the company's clock (SQLite gives UTC back without an offset)."""
    if moment is None:
        return ""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    return aware.astimezone(crm_forms.company_tz()).strftime(fmt)


def _customer_or_404(customer_id: int) -> Customer:
    customer = get_session().get(
        Customer, customer_id,
        options=[selectinload(Customer.sites).selectinload(Site.agreements)
                 .selectinload(Agreement.service_type),
                 selectinload(Customer.contacts)],
    )
    if customer is None:
        abort(404)
    return customer


@bp.get("/customers/<int:customer_id>")
@roles_required(Role.DISPATCHER)
def detail(customer_id: int) -> ResponseReturnValue:
    session = get_session()
    customer = _customer_or_404(customer_id)
    invoices = session.scalars(
        select(Invoice).where(Invoice.customer_id == customer.id)
        .order_by(Invoice.issue_date.desc(), Invoice.id.desc())
    ).all()
    estimates = session.scalars(
        select(Estimate).where(Estimate.customer_id == customer.id)
        .order_by(Estimate.id.desc()).options(selectinload(Estimate.lines))
    ).all()
    return render_template(
        "crm/customer_detail.html",
        customer=customer,
        notes=history(session, customer.id),
        note_kinds=list(NoteKind),
        invoices=invoices,
        open_amounts=open_amounts(session, customer.id),
        estimates=estimates,
        balance=balance(session, customer),
        clv=lifetime_value(session, customer.id, crm_forms.company_today()),
    )


@bp.post("/customers/<int:customer_id>/notes")
@roles_required(Role.DISPATCHER)
def add_customer_note(customer_id: int) -> ResponseReturnValue:
    session = get_session()
    customer = _customer_or_404(customer_id)
    kind = next((k for k in NoteKind if k.value == request.form.get("kind")), NoteKind.NOTE)
    try:
        add_note(session, customer.id, crm_forms.text("body", required=True), kind=kind,
                 author=crm_forms.author())
    except ValueError as error:
        flash(str(error), "error")
    else:
        session.commit()
        flash("Note added to the history.", "success")
    return redirect(url_for("customers.detail", customer_id=customer.id) + "#history")


@bp.post("/customers/<int:customer_id>/tags")
@roles_required(Role.DISPATCHER)
def set_tags(customer_id: int) -> ResponseReturnValue:
    session = get_session()
    customer = _customer_or_404(customer_id)
    customer.tags = parse_tags(crm_forms.text("tags", max_len=500))
    session.commit()
    flash("Tags saved.", "success")
    return redirect(url_for("customers.detail", customer_id=customer.id))


@bp.post("/customers/<int:customer_id>/convert")
@roles_required(Role.DISPATCHER)
def convert(customer_id: int) -> ResponseReturnValue:
    session = get_session()
    customer = _customer_or_404(customer_id)
    try:
        convert_to_customer(session, customer, author=crm_forms.author(),
                            reason=crm_forms.text("reason", max_len=500) or None)
    except ConversionError as error:
        flash(str(error), "error")
    else:
        session.commit()
        flash(f"{customer.name} is now a customer.", "success")
    target = request.form.get("next") == "prospects"
    return redirect(url_for("customers.prospect_list") if target
                    else url_for("customers.detail", customer_id=customer.id))


@bp.get("/prospects")
@roles_required(Role.DISPATCHER)
def prospect_list() -> ResponseReturnValue:
    session = get_session()
    rows = prospects(session)
    counts = dict(session.execute(
        select(Estimate.customer_id, func.count(Estimate.id))
        .where(Estimate.customer_id.in_([c.id for c in rows])).group_by(Estimate.customer_id)
    ).all()) if rows else {}
    return render_template("crm/prospects.html", prospects=rows, estimate_counts=counts)


@bp.get("/customers/duplicates")
@roles_required(Role.DISPATCHER)
def duplicates() -> ResponseReturnValue:
    return render_template("crm/duplicates.html", pairs=find_duplicates(get_session()))


@bp.route("/customers/merge", methods=["GET", "POST"])
@roles_required(Role.DISPATCHER)
def merge() -> ResponseReturnValue:
    """GET: what will move (the confirm step); POST: merge ``remove`` into ``keep``."""
    session = get_session()
    source = request.form if request.method == "POST" else request.args
    keep = session.get(Customer, source.get("keep", 0, type=int))
    remove = session.get(Customer, source.get("remove", 0, type=int))
    if keep is None or remove is None:
        abort(404)
    if request.method == "POST":
        try:
            moved = merge_customers(session, keep, remove, author=crm_forms.author())
        except MergeError as error:
            flash(str(error), "error")
            return redirect(url_for("customers.duplicates"))
        session.commit()
        what = ", ".join(f"{n} {table.replace('_', ' ')}" for table, n in sorted(moved.items()))
        flash(f"Merged {remove.name} into {keep.name}: moved {what or 'nothing'}.", "success")
        return redirect(url_for("customers.detail", customer_id=keep.id))
    score, reasons = score_pair(keep, remove)
    counts = {
        "sites": len(remove.sites),
        "agreements": sum(len(s.agreements) for s in remove.sites),
        "contacts": len(remove.contacts),
        "invoices": session.scalar(select(func.count(Invoice.id))
                                   .where(Invoice.customer_id == remove.id)),
        "estimates": session.scalar(select(func.count(Estimate.id))
                                    .where(Estimate.customer_id == remove.id)),
    }
    return render_template("crm/merge_confirm.html", keep=keep, remove=remove, score=score,
                           reasons=reasons, counts=counts)

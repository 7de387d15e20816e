"""Customer-care reminders: rules the owner sets, evaluated into a to-do list for the office.

Three kinds of rule, each with one parameter in days:

- ``no_visit_days``: an active customer with work in season today had no completed visit
  in the last N days ("no visit in 45 days (last 2026-10-02)"); a customer never visited
  counts from its agreements' start or the company's first recorded visit, whichever is later;
- ``agreement_ending``: an active agreement ends within N days;
- ``season_starting``: a seasonal agreement's season starts within N days (one reminder per
  customer, start date and service category).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import CheckConstraint, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column, selectinload

from crm.agreements import Agreement, AgreementStatus
from crm.billing import VisitCompletion
from crm.clv import in_season
from crm.customers import Customer, CustomerStatus, Site
from crm.db import Base, enum_column, intpk


class ReminderKind(enum.Enum):
    NO_VISIT_DAYS = "no_visit_days"
    AGREEMENT_ENDING = "agreement_ending"
    SEASON_STARTING = "season_starting"


KIND_LABELS: dict[ReminderKind, str] = {
    ReminderKind.NO_VISIT_DAYS: "No visit in N days",
    ReminderKind.AGREEMENT_ENDING: "Agreement ends within N days",
    ReminderKind.SEASON_STARTING: "Season starts within N days",
}

DEFAULT_RULES: tuple[tuple[ReminderKind, int], ...] = (
    (ReminderKind.NO_VISIT_DAYS, 45),
    (ReminderKind.AGREEMENT_ENDING, 30),
    (ReminderKind.SEASON_STARTING, 21),
)


class ReminderRule(Base):
    __tablename__ = "reminder_rule"
    __table_args__ = (CheckConstraint("days > 0", name="positive_days"),)

    id: Mapped[intpk]
    kind: Mapped[ReminderKind] = enum_column(ReminderKind)
    days: Mapped[int]
    active: Mapped[bool] = mapped_column(default=True)

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind].replace("N", str(self.days))

    def __repr__(self) -> str:
        return f"ReminderRule({self.kind.value}, {self.days}, active={self.active})"


@dataclass(frozen=True)
class Reminder:
    """One thing to do: which customer, which rule fired, and why in words."""

    customer: Customer
    rule: ReminderRule
    why: str
    due: dt.date


def ensure_default_rules(session: Session) -> list[ReminderRule]:
    """Add the default rules when there are none at all (the owner edits them afterwards)."""
    if session.scalar(select(func.count(ReminderRule.id))):
        return []
    rules = [ReminderRule(kind=kind, days=days, active=True) for kind, days in DEFAULT_RULES]
    session.add_all(rules)
    session.flush()
    return rules


def _active_agreements(session: Session) -> list[Agreement]:
    return list(
        session.scalars(
            select(Agreement)
            .join(Site, Agreement.site_id == Site.id)
            .join(Customer, Site.customer_id == Customer.id)
            .where(
                Agreement.status == AgreementStatus.ACTIVE,
                Customer.status == CustomerStatus.ACTIVE,
            )
            .options(selectinload(Agreement.site).selectinload(Site.customer))
            .options(selectinload(Agreement.service_type))
            .order_by(Agreement.id)
        )
    )


def _running(agreement: Agreement, day: dt.date) -> bool:
    if agreement.start_date and day < agreement.start_date:
        return False
    if agreement.end_date and day > agreement.end_date:
        return False
    return in_season(day, agreement.season_start, agreement.season_end)


def _no_visit(session: Session, rule: ReminderRule, as_of: dt.date) -> list[Reminder]:
    since = as_of - dt.timedelta(days=rule.days)
    running: dict[int, list[Agreement]] = defaultdict(list)
    for agreement in _active_agreements(session):
        if _running(agreement, as_of):
            running[agreement.site.customer_id].append(agreement)
    last_visits = dict(
        session.execute(
            select(Site.customer_id, func.max(VisitCompletion.date))
            .join(Agreement, VisitCompletion.agreement_id == Agreement.id)
            .join(Site, Agreement.site_id == Site.id)
            .group_by(Site.customer_id)
        ).all()
    )
    # Customers never visited count from when the company began recording visits (or their
    # start, if later): a company that does not record visits gets no reminders for everyone.
    first_recorded = session.scalar(select(func.min(VisitCompletion.date)))
    out = []
    for customer_id, agreements in running.items():
        last = last_visits.get(customer_id)
        customer = agreements[0].site.customer
        if last is None:
            if first_recorded is None:
                continue
            started = max([first_recorded, *(a.start_date for a in agreements if a.start_date)])
            if started > since:
                continue
            why = f"no visit in {rule.days} days (none recorded since {started.isoformat()})"
        elif last < since:
            why = f"no visit in {rule.days} days (last {last.isoformat()})"
        else:
            continue
        out.append(Reminder(customer, rule, why, as_of))
    return out


def _ending(session: Session, rule: ReminderRule, as_of: dt.date) -> list[Reminder]:
    until = as_of + dt.timedelta(days=rule.days)
    return [
        Reminder(
            a.site.customer,
            rule,
            f"agreement {a.external_id} ({a.service_type.name}) ends on {a.end_date.isoformat()}",
            a.end_date,
        )
        for a in _active_agreements(session)
        if a.end_date is not None and as_of <= a.end_date <= until
    ]


def next_season_start(season_start: str, as_of: dt.date) -> dt.date:
    """The first date on or after ``as_of`` that is the "MM-DD" ``season_start``."""
    month, day = (int(part) for part in season_start.split("-"))
    for year in (as_of.year, as_of.year + 1):
        try:
            candidate = dt.date(year, month, day)
        except ValueError:  # 02-29 in a common year
            candidate = dt.date(year, 3, 1)
        if candidate >= as_of:
            return candidate
    raise AssertionError("unreachable: next year's date is always after as_of")


def _season(session: Session, rule: ReminderRule, as_of: dt.date) -> list[Reminder]:
    until = as_of + dt.timedelta(days=rule.days)
    groups: dict[tuple[int, dt.date, str], Customer] = {}
    for a in _active_agreements(session):
        if not a.season_start or not a.season_end:
            continue
        start = next_season_start(a.season_start, as_of)
        if start > until or (a.end_date and a.end_date < start):
            continue
        groups.setdefault((a.site.customer_id, start, a.service_type.category), a.site.customer)
    return [
        Reminder(customer, rule, f"season starts {start.isoformat()} for {category} agreements",
                 start)
        for (_cid, start, category), customer in groups.items()
    ]


_EVALUATORS = {
    ReminderKind.NO_VISIT_DAYS: _no_visit,
    ReminderKind.AGREEMENT_ENDING: _ending,
    ReminderKind.SEASON_STARTING: _season,
}


def evaluate(session: Session, as_of: dt.date) -> list[Reminder]:
    """Every active rule's reminders as of ``as_of``, soonest due first, then by customer."""
    rules = session.scalars(
        select(ReminderRule).where(ReminderRule.active.is_(True)).order_by(ReminderRule.id)
    )
    reminders = [r for rule in rules for r in _EVALUATORS[rule.kind](session, rule, as_of)]
    return sorted(reminders, key=lambda r: (r.due, r.customer.name, r.customer.id, r.why))

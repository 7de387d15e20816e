"""From an accepted estimate to work: agreements for recurring lines, a job and its invoice
for one-off lines.

Both paths convert a prospect into a customer (with a history entry), mark the lines they
set up (``EstimateLine.agreement_id``) so nothing is scheduled twice, and move the estimate
to SCHEDULED once every line is set up. Agreements are named ``EST-<estimate id>-<line
position>``, so an agreement always leads back to the estimate that sold it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from crm.agreements import Agreement, AgreementStatus, FrequencyUnit
from crm.billing import Invoice, VisitCompletion
from crm.completions import record_completion
from crm.crews import Crew
from crm.customers import CustomerStatus
from crm.estimates import Estimate, EstimateError, EstimateLine, EstimateStatus
from crm.invoicing import DEFAULT_NET_DAYS, Period, invoice_completions, next_numbers
from crm.notes import SYSTEM_AUTHOR, add_note
from crm.prospects import convert_to_customer

SCHEDULABLE = (EstimateStatus.DRAFT, EstimateStatus.SENT, EstimateStatus.ACCEPTED)
"""Scheduling an estimate means the customer accepted it, so it may happen from any open
status; a declined or fully scheduled estimate cannot be scheduled."""


def agreement_external_id(estimate: Estimate, line: EstimateLine) -> str:
    return f"EST-{estimate.id}-{line.position}"


@dataclass(frozen=True)
class SlotChoice:
    """Optional crew and weekdays (0 = Monday) picked from the route-aware quote."""

    crew_id: int | None = None
    days: tuple[int, ...] = ()


def _check(estimate: Estimate, lines: Sequence[EstimateLine], what: str) -> None:
    if estimate.status not in SCHEDULABLE:
        raise EstimateError(
            f"estimate {estimate.number} is {estimate.status.value}: it cannot be scheduled"
        )
    if estimate.site is None:
        raise EstimateError(f"estimate {estimate.number} has no site to do the work at")
    if not lines:
        raise EstimateError(f"estimate {estimate.number} has no {what} line left to schedule")


def _agreement(
    estimate: Estimate, line: EstimateLine, start: dt.date, choice: SlotChoice
) -> Agreement:
    service = line.service_type
    weekly = line.frequency_unit is FrequencyUnit.WEEK
    days = sorted(set(choice.days))
    pattern_fits = weekly and len(days) == line.visits_per_period
    return Agreement(
        external_id=agreement_external_id(estimate, line),
        site=estimate.site,
        service_type=service,
        frequency_unit=line.frequency_unit or FrequencyUnit.WEEK,
        frequency_interval=line.frequency_interval,
        visits_per_period=line.visits_per_period,
        day_patterns=[days] if pattern_fits else [],
        duration_min=service.default_duration_min,
        price=line.amounts.amount,
        preferred_crew_id=choice.crew_id,
        preferred_weekday=days[0] if len(days) == 1 else None,
        anchor_date=start,
        start_date=start,
        status=AgreementStatus.ACTIVE,
    )


def _finish(session: Session, estimate: Estimate, author: str, what: str) -> None:
    session.flush()  # sets the lines' agreement_id
    if all(line.agreement_id is not None for line in estimate.lines):
        estimate.status = EstimateStatus.SCHEDULED
    else:
        estimate.status = EstimateStatus.ACCEPTED
    customer = estimate.customer
    reason = f"estimate {estimate.number} {what}"
    if customer.status is CustomerStatus.PROSPECT:
        convert_to_customer(session, customer, author=author, reason=reason)
    else:
        add_note(session, customer.id, f"Estimate {estimate.number} {what}", author=author)
    session.flush()


def schedule_recurring(
    session: Session,
    estimate: Estimate,
    *,
    start: dt.date,
    author: str = SYSTEM_AUTHOR,
    choice: SlotChoice | None = None,
) -> list[Agreement]:
    """Create one ACTIVE agreement per recurring line, starting on ``start``.

    The line's net amount is the agreement's price per visit (so the monthly invoice bills
    what was quoted); the service's duration is the visit's duration. ``choice`` (from the
    quote) sets the preferred crew and, when it has as many days as the line has visits a
    week, the day pattern.

    Raises
    ------
    EstimateError
        For a declined or scheduled estimate, one without a site or without recurring lines
        left to schedule.
    """
    lines = [line for line in estimate.recurring_lines if line.agreement_id is None]
    _check(estimate, lines, "recurring")
    agreements = []
    for line in lines:
        agreement = _agreement(estimate, line, start, choice or SlotChoice())
        session.add(agreement)
        session.flush()
        line.agreement = agreement
        agreements.append(agreement)
    ids = ", ".join(a.external_id for a in agreements)
    _finish(session, estimate, author, f"scheduled as agreement(s) {ids} from {start}")
    return agreements


@dataclass(frozen=True)
class OneOffResult:
    agreements: list[Agreement]
    completions: list[VisitCompletion]
    invoice: Invoice


def schedule_and_invoice(
    session: Session,
    estimate: Estimate,
    *,
    crew: Crew,
    started_at: dt.datetime,
    ended_at: dt.datetime,
    author: str = SYSTEM_AUTHOR,
    net_days: int = DEFAULT_NET_DAYS,
) -> OneOffResult:
    """Do the one-off lines as one job and bill it in one step.

    Each one-off line becomes an agreement that is already ENDED (it is never planned
    again), a completion of that agreement on the job's day (:func:`record_completion`),
    and a line of one DRAFT invoice, numbered by :func:`crm.invoicing.next_numbers` and
    built by :func:`crm.invoicing.invoice_completions` as the monthly batch's are, so the
    monthly batch never bills it twice.

    Raises
    ------
    EstimateError
        As :func:`schedule_recurring`, for one-off lines.
    CompletionError
        For naive or inverted times.
    """
    lines = [line for line in estimate.one_off_lines if line.agreement_id is None]
    _check(estimate, lines, "one-off")
    day = started_at.date()
    agreements, completions = [], []
    for line in lines:
        agreement = _agreement(estimate, line, day, SlotChoice(crew_id=crew.id))
        agreement.end_date = day
        agreement.status = AgreementStatus.ENDED
        session.add(agreement)
        session.flush()
        line.agreement = agreement
        agreements.append(agreement)
        completions.append(
            record_completion(
                session,
                agreement=agreement,
                date=day,
                crew=crew,
                started_at=started_at,
                ended_at=ended_at,
                note=f"estimate {estimate.number}",
            )
        )
    (number,) = next_numbers(session, day.year, 1)
    invoice = invoice_completions(
        number,
        estimate.customer_id,
        completions,
        issue_date=day,
        period=Period(day.year, day.month),
        net_days=net_days,
        note=f"One-off job of estimate {estimate.number}",
    )
    session.add(invoice)
    session.flush()
    _finish(session, estimate, author, f"done on {day} and invoiced as {number}")
    return OneOffResult(agreements, completions, invoice)

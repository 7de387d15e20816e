"""Customer lifetime value: paid revenue net of credits, and the 12-month projection."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy.orm import Session

from crm.agreements import AgreementStatus, FrequencyUnit
from crm.billing import PaymentMethod
from crm.clv import active_share, in_season, lifetime_value, visits_per_year
from crm.invoicing import credit_note, invoice_period, mark_sent
from crm.payments import record_payment
from tests.crm.billing_helpers import complete, make_company

AS_OF = dt.date(2027, 1, 1)


def test_visits_per_year_formula() -> None:
    """Weekly 52, every 2 weeks 26, twice a week 104, monthly 12, every 3 months 4."""
    assert visits_per_year(FrequencyUnit.WEEK, 1, 1) == 52
    assert visits_per_year(FrequencyUnit.WEEK, 2, 1) == 26
    assert visits_per_year(FrequencyUnit.WEEK, 1, 2) == 104
    assert visits_per_year(FrequencyUnit.MONTH, 1, 1) == 12
    assert visits_per_year(FrequencyUnit.MONTH, 3, 1) == 4


def test_season_wraps_the_new_year() -> None:
    """A 11-01..03-31 season holds January and December but not July."""
    assert in_season(dt.date(2027, 1, 15), "11-01", "03-31")
    assert in_season(dt.date(2026, 12, 1), "11-01", "03-31")
    assert not in_season(dt.date(2027, 7, 1), "11-01", "03-31")
    assert in_season(dt.date(2027, 7, 1), None, None)


def test_projection_of_weekly_agreements(session: Session) -> None:
    """K1: 45.00 x 52 = 2,340.00. K2: 33.33 x 26 (every 2 weeks) x 214/365 (in season
    04-01..10-31 of the next 365 days) = 185,448.12 / 365 = 508.077 -> 508.08."""
    company = make_company(session)
    company.pool.frequency_interval = 2
    company.pool.season_start, company.pool.season_end = "04-01", "10-31"
    assert active_share(company.pool, AS_OF) == Decimal(214) / Decimal(365)
    assert lifetime_value(session, company.k1.id, AS_OF).projected_12_months == Decimal("2340.00")
    assert lifetime_value(session, company.k2.id, AS_OF).projected_12_months == Decimal("508.08")


def test_projection_stops_at_end_date_and_skips_paused(session: Session) -> None:
    """An agreement ending after 70 of the 365 days projects 70/365 of a year; paused: 0."""
    company = make_company(session)
    company.windows.end_date = AS_OF + dt.timedelta(days=69)
    company.pool.status = AgreementStatus.PAUSED
    # 45 x 52 x 70 / 365 = 448.767... -> 448.77
    assert lifetime_value(session, company.k1.id, AS_OF).projected_12_months == Decimal("448.77")
    assert lifetime_value(session, company.k2.id, AS_OF).projected_12_months == Decimal("0.00")


def test_revenue_counts_paid_net_minus_credit_notes(session: Session) -> None:
    """K1 pays November (2 visits, 90.00 net) and December is credited after being sent:
    revenue is 90.00; K2's open invoice counts nothing until it is paid."""
    company = make_company(session)
    for day in (3, 10):
        complete(session, company, company.windows, dt.date(2026, 11, day))
    complete(session, company, company.pool, dt.date(2026, 11, 4))
    november = invoice_period(session, "2026-11")
    mark_sent(session, november)
    k1_nov = next(i for i in november if i.customer_id == company.k1.id)
    record_payment(session, company.k1, k1_nov.total, PaymentMethod.CARD, dt.date(2026, 12, 5),
                   invoice=k1_nov)
    complete(session, company, company.windows, dt.date(2026, 12, 1))
    (december,) = invoice_period(session, "2026-12")
    mark_sent(session, [december])
    credit_note(session, december, issue_date=dt.date(2027, 1, 2), reason="complaint")
    assert lifetime_value(session, company.k1.id, AS_OF).revenue_to_date == Decimal("90.00")
    assert lifetime_value(session, company.k2.id, AS_OF).revenue_to_date == Decimal("0.00")
    value = lifetime_value(session, company.k1.id, AS_OF)
    assert value.total == value.revenue_to_date + value.projected_12_months

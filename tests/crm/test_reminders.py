"""Customer-care reminders: each rule fires when it should, and stays quiet otherwise."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from crm.customers import CustomerStatus
from crm.reminders import (
    ReminderKind,
    ReminderRule,
    ensure_default_rules,
    evaluate,
    next_season_start,
)
from tests.crm.billing_helpers import Company, complete, make_company

AS_OF = dt.date(2026, 11, 16)


def _only(session: Session, kind: ReminderKind, days: int) -> ReminderRule:
    rule = ReminderRule(kind=kind, days=days, active=True)
    session.add(rule)
    session.flush()
    return rule


def _company(session: Session) -> Company:
    company = make_company(session)
    company.windows.start_date = company.pool.start_date = dt.date(2026, 1, 1)
    return company


def test_no_visit_rule_names_the_last_visit(session: Session) -> None:
    """K1 was last visited 2026-10-02 (45 days before): reminded; K2 on 11-10: not."""
    company = _company(session)
    complete(session, company, company.windows, dt.date(2026, 10, 2))
    complete(session, company, company.pool, dt.date(2026, 11, 10))
    _only(session, ReminderKind.NO_VISIT_DAYS, 30)
    (reminder,) = evaluate(session, AS_OF)
    assert reminder.customer is company.k1
    assert reminder.why == "no visit in 30 days (last 2026-10-02)"


def test_no_visit_rule_skips_out_of_season_and_prospects(session: Session) -> None:
    """Work out of season (lawn in winter) and non-active customers give no reminder."""
    company = _company(session)
    company.windows.season_start, company.windows.season_end = "04-01", "10-31"
    company.k2.status = CustomerStatus.PROSPECT
    _only(session, ReminderKind.NO_VISIT_DAYS, 30)
    assert evaluate(session, AS_OF) == []


def test_agreement_ending_within_the_window(session: Session) -> None:
    """A1 ends on 2026-12-31 (45 days on): a 60-day rule fires, a 30-day rule does not."""
    company = _company(session)
    company.windows.end_date = dt.date(2026, 12, 31)
    rule = _only(session, ReminderKind.AGREEMENT_ENDING, 30)
    assert evaluate(session, AS_OF) == []
    rule.days = 60
    (reminder,) = evaluate(session, AS_OF)
    assert reminder.why == "agreement A1 (Window cleaning) ends on 2026-12-31"


def test_season_starting_groups_by_category(session: Session) -> None:
    """K2's pool season 12-01..03-31 starts in 15 days; a closed season far away is quiet."""
    company = _company(session)
    company.pool.season_start, company.pool.season_end = "12-01", "03-31"
    company.windows.season_start, company.windows.season_end = "04-01", "10-31"
    _only(session, ReminderKind.SEASON_STARTING, 21)
    (reminder,) = evaluate(session, AS_OF)
    assert reminder.customer is company.k2
    assert reminder.why == "season starts 2026-12-01 for pool agreements"


def test_next_season_start_rolls_over_the_year() -> None:
    assert next_season_start("03-01", dt.date(2026, 11, 16)) == dt.date(2027, 3, 1)
    assert next_season_start("11-16", dt.date(2026, 11, 16)) == dt.date(2026, 11, 16)


def test_inactive_rules_and_defaults(session: Session) -> None:
    """Defaults are added once; an inactive rule yields nothing."""
    company = _company(session)
    rules = ensure_default_rules(session)
    assert [(r.kind, r.days) for r in rules] == [
        (ReminderKind.NO_VISIT_DAYS, 45), (ReminderKind.AGREEMENT_ENDING, 30),
        (ReminderKind.SEASON_STARTING, 21)]
    assert ensure_default_rules(session) == []
    complete(session, company, company.pool, dt.date(2026, 9, 1))
    assert {r.customer for r in evaluate(session, AS_OF)} == {company.k1, company.k2}
    for rule in rules:
        rule.active = False
    assert evaluate(session, AS_OF) == []


def test_never_visited_counts_from_the_first_recorded_visit(session: Session) -> None:
    """With no visit recorded anywhere the rule is quiet; once the company records visits
    (K2 on 2026-09-01), K1 who was never visited is reminded from that day."""
    company = _company(session)
    _only(session, ReminderKind.NO_VISIT_DAYS, 30)
    assert evaluate(session, AS_OF) == []
    complete(session, company, company.pool, dt.date(2026, 9, 1))
    whys = {r.customer.external_id: r.why for r in evaluate(session, AS_OF)}
    assert whys == {"K1": "no visit in 30 days (none recorded since 2026-09-01)",
                    "K2": "no visit in 30 days (last 2026-09-01)"}

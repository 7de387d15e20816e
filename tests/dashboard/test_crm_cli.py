"""``rounds customers duplicates|merge`` and ``rounds reminders``."""

from __future__ import annotations

from flask.testing import FlaskCliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm.customers import Customer, CustomerStatus, Site


def test_duplicates_then_merge(runner: FlaskCliRunner, session: Session,
                               tiny_company: dict[str, int]) -> None:
    """The copy is listed with its reasons; merging moves its site and archives it."""
    copy = Customer(external_id="CU9", name="Bayview Dental LLC", phone="813 555 0102")
    Site(external_id="S9", customer=copy, address="200 Bay St, Tampa, FL 33606")
    session.add(copy)
    session.commit()
    listed = runner.invoke(args=["customers", "duplicates"])
    assert listed.exit_code == 0, listed.output
    assert "CU2          CU9" in listed.output and "same phone 8135550102" in listed.output
    merged = runner.invoke(args=["customers", "merge", "CU2", "CU9"])
    assert merged.exit_code == 0, merged.output
    assert merged.output == "merged CU9 into CU2: moved 1 site\n"
    session.expire_all()
    assert session.scalars(select(Site.customer_id).where(Site.external_id == "S9")).one() == \
        session.scalars(select(Customer.id).where(Customer.external_id == "CU2")).one()
    assert copy.status is CustomerStatus.INACTIVE
    missing = runner.invoke(args=["customers", "merge", "CU2", "NOPE"])
    assert missing.exit_code != 0 and "no customer with id NOPE" in missing.output


def test_reminders_command_adds_default_rules(runner: FlaskCliRunner,
                                              tiny_company: dict[str, int]) -> None:
    """With no rules yet the defaults are added; the summary line counts the reminders."""
    result = runner.invoke(args=["reminders", "--as-of", "2026-11-16"])
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith("reminder(s) as of 2026-11-16")

"""Import every CRM table so that ``Base.metadata`` is complete (migrations, tests)."""

from crm.agreements import Agreement, AgreementStatus, FrequencyUnit
from crm.billing import (
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceStatus,
    NumberSequence,
    Payment,
    PaymentMethod,
    VisitCompletion,
)
from crm.crews import Crew, CrewShift, Holiday
from crm.customers import Contact, Customer, CustomerStatus, GeocodeStatus, Site
from crm.db import Base
from crm.estimates import Estimate, EstimateLine, EstimateStatus
from crm.geocache import GeocodeCacheEntry
from crm.notes import CustomerNote, NoteKind
from crm.reminders import ReminderKind, ReminderRule
from crm.services import ServiceType
from crm.users import Role, User

__all__ = [
    "Agreement",
    "AgreementStatus",
    "Base",
    "Contact",
    "Crew",
    "CrewShift",
    "Customer",
    "CustomerNote",
    "CustomerStatus",
    "Estimate",
    "EstimateLine",
    "EstimateStatus",
    "FrequencyUnit",
    "GeocodeCacheEntry",
    "GeocodeStatus",
    "Invoice",
    "InvoiceKind",
    "InvoiceLine",
    "InvoiceStatus",
    "NoteKind",
    "NumberSequence",
    "Payment",
    "PaymentMethod",
    "ReminderKind",
    "ReminderRule",
    "Holiday",
    "Role",
    "ServiceType",
    "Site",
    "User",
    "VisitCompletion",
]

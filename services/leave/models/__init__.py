"""Tables the leave service owns, one module per feature; importing this package registers
every table on `db.metadata` (migrations and their conformance test rely on it)."""

from services.leave.models.base import AuditEvent, Days, db
from services.leave.models.events import IdempotentAnswer, OutboxEvent, Webhook
from services.leave.models.ledger import EmployeeLock, LedgerEntry
from services.leave.models.reference import CalendarOverride, LeaveType, PolicyVersion
from services.leave.models.requests import ApprovalStep, LeaveRequest, Transition

__all__ = [
    "ApprovalStep", "AuditEvent", "CalendarOverride", "Days", "EmployeeLock",
    "IdempotentAnswer", "LeaveRequest", "LeaveType", "LedgerEntry", "OutboxEvent",
    "PolicyVersion", "Transition", "Webhook", "db",
]

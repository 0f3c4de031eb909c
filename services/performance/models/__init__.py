"""Tables the performance service owns, one module per feature; importing this package
registers every table on `db.metadata` (migrations and their conformance test rely on it)."""

from services.performance.models import losses, visits  # noqa: F401  (customers, visits, losses)
from services.performance.models.base import AuditEvent, Money, db
from services.performance.models.incidents import Incident, IncidentStep, OutboxMessage, SignOff
from services.performance.models.rules import PolicyVersion, Rule

__all__ = ["AuditEvent", "Incident", "IncidentStep", "Money", "OutboxMessage", "PolicyVersion",
           "Rule", "SignOff", "db"]

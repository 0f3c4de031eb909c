"""The leave store's handle, its audit trail and the day-count column type."""

from __future__ import annotations

from sqlalchemy import Numeric

from shared.audit import make_audit_model
from shared.db import make_db

db = make_db()
AuditEvent = make_audit_model(db)

#: Leave days, exact to the half day: NUMERIC(7, 1), read back as `Decimal`.
Days = Numeric(7, 1, asdecimal=True)

"""The performance store's handle, its audit trail and the money column type."""

from __future__ import annotations

from sqlalchemy import Numeric

from shared.audit import make_audit_model
from shared.db import make_db

db = make_db()
AuditEvent = make_audit_model(db)

#: Money in yuan, exact to the fen (分): NUMERIC(12, 2), read back as `Decimal`.
Money = Numeric(12, 2, asdecimal=True)

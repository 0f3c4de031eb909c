"""retire the read generation: the read lane it served is gone

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 23:40:00

Migration 0003's counter (`staff_state`) and its triggers existed only so that the read lane
could replay `GET /staff/employees` and `/chain` answers while nothing they depended on had
changed. Under the bench's realistic mix (1,000 callers × 8 different questions) the lane
hit 5–7 % of the time and did not pay for itself, so it was removed; the counter would only
make every write to employees, units, positions and head counts update one more row (on
PostgreSQL a single row that every such transaction locks at its commit). This drops what
0003 created, exactly as 0003's own downgrade does; the downgrade puts it back.
"""
from shared.db import sibling_migration

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    sibling_migration(__file__, "0003_read_generation.py").downgrade()


def downgrade() -> None:
    sibling_migration(__file__, "0003_read_generation.py").upgrade()

"""retire the decision generation: the check lane it served is gone

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 23:40:00

Migration 0003's counter (`auth_state`) and its triggers existed only so that the check lane
could replay `/auth/check` answers while nothing they depended on had changed. Under the
bench's realistic mix (1,000 users × 10 different questions) the lane hit about a quarter
of the time and cost more than it saved, so it was removed; the counter would only make
every write to users, roles, bindings, clients, keys and sign-ins update one more row (on
PostgreSQL a single row that every such transaction locks at its commit). This drops what
0003 created, exactly as 0003's own downgrade does; the downgrade puts it back.
"""
from shared.db import sibling_migration

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    sibling_migration(__file__, "0003_decision_generation.py").downgrade()


def downgrade() -> None:
    sibling_migration(__file__, "0003_decision_generation.py").upgrade()

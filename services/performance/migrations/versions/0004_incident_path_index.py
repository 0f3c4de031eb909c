"""incidents: the unit-path index with a byte-wise operator class on PostgreSQL

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 05:50:00.000000

A unit roll-up selects a subtree's incidents with `unit_path = :p OR unit_path LIKE :p/%`.
With the database's own collation PostgreSQL cannot use a plain b-tree for that prefix, and
scanned every incident (≈100 ms at 200,000); `varchar_pattern_ops` lets the LIKE walk the
index, as staff's path indexes do. SQLite is unchanged (its LIKE does not use indexes here).
"""
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index("ix_incidents_unit_path_occurred", table_name="incidents")
    op.create_index("ix_incidents_unit_path_occurred", "incidents",
                    ["unit_path", "occurred_on"],
                    postgresql_ops={"unit_path": "varchar_pattern_ops"})


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index("ix_incidents_unit_path_occurred", table_name="incidents")
    op.create_index("ix_incidents_unit_path_occurred", "incidents", ["unit_path", "occurred_on"])

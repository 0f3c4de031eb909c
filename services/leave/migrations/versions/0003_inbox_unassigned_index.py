"""approval_steps: a partial index on the steps nobody holds (hr's inbox)

The approvals inbox shows hr, besides its own steps, every pending step of its governing
branches that nobody holds (`unassigned`). That arm of the inbox's OR had no index of its
own, so PostgreSQL read every pending step (37,000 at the bench's 1,000,000 requests) to
find an hr's ~300: 24-26 ms per statement, twice per request. With this index the planner
ORs three small index scans instead: 2.5-3.2 ms at 1,000,000 requests (see bench/README.md,
"Leave at scale"). Partial: only unassigned steps, a small share, are in it.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04 06:25:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_approval_steps_unassigned', 'approval_steps', ['status'], unique=False,
                    postgresql_where=sa.text('unassigned IS TRUE'),
                    sqlite_where=sa.text('unassigned IS 1'))


def downgrade() -> None:
    op.drop_index('ix_approval_steps_unassigned', table_name='approval_steps')

"""scheduled changes: hires, transfers and status changes dated after today

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 08:30:00

A change dated in the future waits in `scheduled_changes` until the due-changes step applies
it (a write to `employees`, which moves migration 0003's read generation). `pending` is 1
while scheduled and NULL once applied, cancelled or failed: the unique constraint on
`(employee_no, kind, pending)` then allows one pending change of each kind per employee.
Not read by a listing or a chain, so the table carries no generation trigger.
"""
import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('scheduled_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('employee_no', sa.String(length=40), nullable=False),
    sa.Column('effective_date', sa.Date(), nullable=False),
    sa.Column('org', sa.String(length=40), nullable=False),
    sa.Column('org_path', sa.String(length=1000), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('pending', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.String(length=1000), nullable=True),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('resolved_by', sa.String(length=200), nullable=True),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scheduled_changes')),
    sa.UniqueConstraint('employee_no', 'kind', 'pending',
                        name=op.f('uq_scheduled_changes_employee_no')),
    sqlite_autoincrement=True,
    )
    op.create_index('ix_scheduled_changes_due', 'scheduled_changes',
                    ['pending', 'effective_date'], unique=False)
    op.create_index('ix_scheduled_changes_employee_no', 'scheduled_changes',
                    ['employee_no'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_scheduled_changes_employee_no', table_name='scheduled_changes')
    op.drop_index('ix_scheduled_changes_due', table_name='scheduled_changes')
    op.drop_table('scheduled_changes')

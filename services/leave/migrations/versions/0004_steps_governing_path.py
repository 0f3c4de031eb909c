"""approval_steps.governing_path: hr's unassigned arm is an index range too

The approvals inbox shows hr, besides its own steps, the pending steps nobody holds
(`unassigned`) in its governing branches. Since 0003 that arm reads the unassigned pending
steps of the *whole* organisation (~380 at the bench's 1,000,000 requests) and joins each to
its request to keep the branch's. The governing branch's path, carried on the step (it is
the request's, fixed at filing like the step's own unit), lets the partial index hold it:
`(status, governing_path) WHERE unassigned`, so the arm is one range of a small index, as
the role arms are of `ix_approval_steps_inbox`. It replaces 0003's `(status)` index, which
it covers.

The column is added NOT NULL with an empty default (SQLite adds a NOT NULL column only with
one), filled from the requests, and the default dropped on PostgreSQL (SQLite cannot drop
it without rebuilding the table; every step is written with its path either way).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 08:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

PATH = sa.String(length=400).with_variant(sa.String(length=400, collation='C'), 'postgresql')


def upgrade() -> None:
    op.add_column('approval_steps', sa.Column('governing_path', PATH, nullable=False,
                                              server_default=''))
    op.execute("UPDATE approval_steps SET governing_path = (SELECT r.governing_path "
               "FROM leave_requests r WHERE r.id = approval_steps.request_id)")
    if op.get_bind().dialect.name == 'postgresql':
        op.alter_column('approval_steps', 'governing_path', server_default=None)
    op.drop_index('ix_approval_steps_unassigned', table_name='approval_steps')
    op.create_index('ix_approval_steps_unassigned', 'approval_steps',
                    ['status', 'governing_path'], unique=False,
                    postgresql_where=sa.text('unassigned IS TRUE'),
                    sqlite_where=sa.text('unassigned IS 1'))


def downgrade() -> None:
    op.drop_index('ix_approval_steps_unassigned', table_name='approval_steps')
    op.create_index('ix_approval_steps_unassigned', 'approval_steps', ['status'], unique=False,
                    postgresql_where=sa.text('unassigned IS TRUE'),
                    sqlite_where=sa.text('unassigned IS 1'))
    with op.batch_alter_table('approval_steps') as batch_op:
        batch_op.drop_column('governing_path')

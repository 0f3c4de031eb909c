"""leave_types.max_days_back: leave filed after the fact is policy data

Sick and bereavement leave are filed after the fact (one is ill or bereaved first); until
now every type's first day had to be today or later. Each type now says how many calendar
days before today its first day may lie: 30 for `sick` and `bereavement`, 0 for every other
type — and 0 for a sick or bereavement type HR has since given a notice period, since a type
either needs notice or is filed afterwards (domain/notice.py).

The column is added NOT NULL with a default of 0 (SQLite adds a NOT NULL column only with
one), the two types set, and the default dropped on PostgreSQL (SQLite cannot drop it
without rebuilding the table; the model gives every new row its own value either way).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 20:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('leave_types', sa.Column('max_days_back', sa.Integer(), nullable=False,
                                           server_default='0'))
    op.execute("UPDATE leave_types SET max_days_back = 30 "
               "WHERE code IN ('sick', 'bereavement') AND min_notice_days = 0")
    if op.get_bind().dialect.name == 'postgresql':
        op.alter_column('leave_types', 'max_days_back', server_default=None)


def downgrade() -> None:
    with op.batch_alter_table('leave_types', table_kwargs={'sqlite_autoincrement': True}) \
            as batch_op:
        batch_op.drop_column('max_days_back')

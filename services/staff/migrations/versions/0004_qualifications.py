"""qualifications: positions that require one, and each withdrawal or restoration

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 05:40:00

`positions.requires_qualification` names the qualification a position's holder must keep
(客户经理资格 `customer_manager` on every customer-manager post); `qualification_records`
keeps each withdrawal (取消客户经理资格, told by performance) and restoration, the latest
being the current state.

The column is added with a plain `ALTER TABLE … ADD COLUMN` on both stores: no SQLite
table rebuild, so the triggers on `positions` (migration 0003's read generation) stay in
place. `qualification_records` is not read by a listing or a chain (only by the single
employee answer and the writes that place an employee), so it carries no generation
trigger.

Stores created before this migration already hold the catalogue (the loader adds only
missing codes and keeps HR's edits), so the customer-manager posts of the shipped
catalogue are flagged here (by code; the column is new, so nothing HR set is overwritten).
"""
import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

#: The shipped catalogue's customer-manager posts (客户经理 retail, corporate, credit; 大客户经理).
CUSTOMER_MANAGER_POSTS = ("CUSTOMER_MANAGER", "RETAIL_CUSTOMER_MANAGER",
                          "CORPORATE_CUSTOMER_MANAGER", "CREDIT_CUSTOMER_MANAGER",
                          "KEY_ACCOUNT_MANAGER")


def upgrade() -> None:
    op.add_column('positions', sa.Column('requires_qualification', sa.String(length=40),
                                         nullable=True))
    positions = sa.table('positions', sa.column('code', sa.String),
                         sa.column('requires_qualification', sa.String))
    op.execute(positions.update()
               .where(positions.c.code.in_(CUSTOMER_MANAGER_POSTS))
               .values(requires_qualification='customer_manager'))
    op.create_table('qualification_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('employee_id', sa.Integer(), nullable=False),
    sa.Column('qualification', sa.String(length=40), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.String(length=1000), nullable=False),
    sa.Column('reference', sa.String(length=200), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['employee_id'], ['employees.id'], name=op.f('fk_qualification_records_employee_id_employees')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qualification_records')),
    sa.UniqueConstraint('reference', name=op.f('uq_qualification_records_reference')),
    sqlite_autoincrement=True,
    )
    op.create_index('ix_qualification_records_employee_id', 'qualification_records',
                    ['employee_id', 'qualification'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_qualification_records_employee_id', table_name='qualification_records')
    op.drop_table('qualification_records')
    # SQLite ≥ 3.35 drops a column in place (no rebuild: the triggers stay).
    op.drop_column('positions', 'requires_qualification')

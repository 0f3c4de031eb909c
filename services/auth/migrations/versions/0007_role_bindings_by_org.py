"""role bindings by unit: who holds a role over a unit's chain without reading every binding

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 13:40:00

`/auth/role-holders` (leave asks it on every filing, for each step) found the bindings over
a unit's chain of ancestors by joining every binding of the role to its unit's path: a
sequential scan of the role's bindings per question (100,000 bindings in the bench halved
the leave flows). `service.holders` now finds them by unit code first; this is the index it
reads.
"""
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('role_bindings', schema=None) as batch_op:
        batch_op.create_index('ix_role_bindings_org_role', ['org', 'role'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('role_bindings', schema=None) as batch_op:
        batch_op.drop_index('ix_role_bindings_org_role')

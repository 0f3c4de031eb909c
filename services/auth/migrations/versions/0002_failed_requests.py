"""failed requests: the token endpoint's per-address brake, shared by every worker

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 16:33:13.942905
"""
import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('failed_requests',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_failed_requests')),
    sqlite_autoincrement=True,
    )
    with op.batch_alter_table('failed_requests', schema=None) as batch_op:
        batch_op.create_index('ix_failed_requests_address_at', ['address', 'at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('failed_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_failed_requests_address_at')

    op.drop_table('failed_requests')

"""staff:qualify: the permission to withdraw or restore a qualification (取消客户经理资格)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 05:30:00

Reference roles and permissions are loaded into an empty store only (afterwards they are
policy data, edited through the API), so a store loaded before this permission existed is
given it here: the permission row, and the `admin` role (which holds every permission).
An empty store is left alone: the first start loads `data/reference/roles.yaml`, which has
it. Performance's service client gets it from `service_clients.yaml` at every start.
"""
import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

NAME = "staff:qualify"
DESCRIPTION = ("Withdraw or restore an employee's qualification (取消客户经理资格; the "
               "performance service).")

permissions = sa.table("permissions", sa.column("name", sa.String),
                       sa.column("description", sa.String))
roles = sa.table("roles", sa.column("name", sa.String), sa.column("permissions", sa.JSON))


def upgrade() -> None:
    conn = op.get_bind()
    if conn.execute(sa.select(sa.func.count()).select_from(roles)).scalar_one() == 0:
        return
    if conn.execute(sa.select(permissions.c.name)
                    .where(permissions.c.name == NAME)).first() is None:
        conn.execute(permissions.insert().values(name=NAME, description=DESCRIPTION))
    held = conn.execute(sa.select(roles.c.permissions)
                        .where(roles.c.name == "admin")).scalar_one_or_none()
    if held is not None and NAME not in held:
        conn.execute(roles.update().where(roles.c.name == "admin")
                     .values(permissions=sorted([*held, NAME])))


def downgrade() -> None:
    conn = op.get_bind()
    for name, held in conn.execute(sa.select(roles.c.name, roles.c.permissions)).all():
        if held and NAME in held:
            conn.execute(roles.update().where(roles.c.name == name)
                         .values(permissions=[p for p in held if p != NAME]))
    conn.execute(permissions.delete().where(permissions.c.name == NAME))

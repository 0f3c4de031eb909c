"""people sync: roles say where they may be bound and which qualification they need; auth
keeps staff's qualification states and each cached unit's type

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 08:30:00

- `roles.unit_types` (JSON list, null = any unit type) and `roles.requires_qualification`
  (null = none): policy data, editable through the API like permissions.
- `org_paths.unit_type`: the unit's type as staff said it (types never change in staff),
  null until auth next asks staff.
- `qualification_states`: the latest withdrawal or restoration staff told auth of, per
  employee and qualification, with staff's sequence so that a late retry of an older event
  never undoes a newer one.

Reference roles are loaded into an empty store only, so a store loaded before this revision
gets here what `data/reference/roles.yaml` now says: `branch_head` over sub-branches and
outlets only, the `customer_manager` role (客户经理) with its permission, and
`auth:people-sync` (the staff service's) in the admin role, which holds every permission.
An empty store is left to the first start.
"""
import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

NEW_PERMISSIONS = {
    "auth:people-sync": "Tell auth that an employee left or lost or regained a qualification "
                        "(the staff service).",
    "customer:manage": "Serve and manage customers in scope (客户经理): the bank's customer "
                       "and credit systems ask /auth/check for it.",
}
CUSTOMER_MANAGER = {
    "name": "customer_manager",
    "description": "Customer manager (客户经理); held only while the customer-manager "
                   "qualification stands (取消客户经理资格 ends it).",
    "permissions": ["customer:manage", "leave:request"],
    "unit_types": ["sub_branch", "outlet", "department"],
    "requires_qualification": "customer_manager",
}
BRANCH_HEAD_UNIT_TYPES = ["sub_branch", "outlet"]

permissions = sa.table("permissions", sa.column("name", sa.String),
                       sa.column("description", sa.String))
roles = sa.table("roles", sa.column("name", sa.String), sa.column("description", sa.String),
                 sa.column("permissions", sa.JSON), sa.column("unit_types", sa.JSON),
                 sa.column("requires_qualification", sa.String),
                 sa.column("updated_at", sa.DateTime(timezone=True)))


def upgrade() -> None:
    # Plain ADD COLUMN (no batch copy on SQLite: the tables keep their triggers of 0003).
    op.add_column("roles", sa.Column("unit_types", sa.JSON(), nullable=True))
    op.add_column("roles", sa.Column("requires_qualification", sa.String(64), nullable=True))
    op.add_column("org_paths", sa.Column("unit_type", sa.String(20), nullable=True))
    op.create_table(
        "qualification_states",
        sa.Column("employee_no", sa.String(40), nullable=False),
        sa.Column("qualification", sa.String(64), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("reference", sa.String(200), nullable=False),
        sa.Column("reason", sa.String(500), nullable=False, server_default=""),
        sa.Column("sequence", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("employee_no", "qualification",
                                name=op.f("pk_qualification_states")),
    )
    _reference_data(op.get_bind())


def _reference_data(conn: sa.Connection) -> None:
    if conn.execute(sa.select(sa.func.count()).select_from(roles)).scalar_one() == 0:
        return
    for name, description in NEW_PERMISSIONS.items():
        if conn.execute(sa.select(permissions.c.name)
                        .where(permissions.c.name == name)).first() is None:
            conn.execute(permissions.insert().values(name=name, description=description))
    held = conn.execute(sa.select(roles.c.permissions)
                        .where(roles.c.name == "admin")).scalar_one_or_none()
    if held is not None:
        wanted = sorted({*held, *NEW_PERMISSIONS})
        if wanted != sorted(held):
            conn.execute(roles.update().where(roles.c.name == "admin")
                         .values(permissions=wanted))
    conn.execute(roles.update().where(roles.c.name == "branch_head",
                                      roles.c.unit_types.is_(None))
                 .values(unit_types=BRANCH_HEAD_UNIT_TYPES))
    if conn.execute(sa.select(roles.c.name)
                    .where(roles.c.name == CUSTOMER_MANAGER["name"])).first() is None:
        conn.execute(roles.insert().values(**CUSTOMER_MANAGER,
                                           updated_at=dt.datetime.now(dt.UTC)))


def downgrade() -> None:
    conn = op.get_bind()
    conn.execute(roles.delete().where(roles.c.name == CUSTOMER_MANAGER["name"]))
    for name, held in conn.execute(sa.select(roles.c.name, roles.c.permissions)).all():
        if held and set(held) & set(NEW_PERMISSIONS):
            conn.execute(roles.update().where(roles.c.name == name)
                         .values(permissions=[p for p in held if p not in NEW_PERMISSIONS]))
    conn.execute(permissions.delete().where(permissions.c.name.in_(list(NEW_PERMISSIONS))))
    op.drop_table("qualification_states")
    op.drop_column("org_paths", "unit_type")
    op.drop_column("roles", "requires_qualification")
    op.drop_column("roles", "unit_types")

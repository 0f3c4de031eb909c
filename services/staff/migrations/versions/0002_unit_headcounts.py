"""unit head counts kept by triggers; employee number + unit index

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 18:30:00.000000

`unit_headcounts` holds, per unit and status, how many employees there are, beside the
unit's path. Triggers keep it in the writing statement's own transaction on both stores
(on `employees`: insert, delete, and an update that changes `unit_id` or `status`; on
`org_units`: a path change, i.e. a move), so every write path — the API, the CSV import,
loaders, plain SQL — keeps it exact without remembering to. The exact total of a subtree
listing is then a sum over the subtree's rows of an index on the path (issue #5), instead
of a count over its employees that grew with the subtree.

A later SQLite migration that rebuilds `employees` or `org_units` (batch "move and copy")
drops their triggers: it must create them again.

`ix_employees_employee_no_unit_id` lets a listing's page walk employees in number order and
keep those of its units from the index alone.

The trigger SQL lives here, not in application code: a migration must keep building the
same schema whatever the code becomes.
"""
import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

POSTGRES_TRIGGERS = [
    """
CREATE FUNCTION employees_headcount() RETURNS trigger AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    UPDATE unit_headcounts SET employees = employees - 1
     WHERE unit_id = OLD.unit_id AND status = OLD.status;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO unit_headcounts (unit_id, status, path, employees)
    VALUES (NEW.unit_id, NEW.status,
            (SELECT path FROM org_units WHERE id = NEW.unit_id), 1)
    ON CONFLICT (unit_id, status)
    DO UPDATE SET employees = unit_headcounts.employees + 1;
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql
""",
    """
CREATE FUNCTION employees_headcount_truncate() RETURNS trigger AS $$
BEGIN
  DELETE FROM unit_headcounts;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql
""",
    """
CREATE FUNCTION org_units_headcount_path() RETURNS trigger AS $$
BEGIN
  UPDATE unit_headcounts SET path = NEW.path WHERE unit_id = NEW.id;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql
""",
    "CREATE TRIGGER employees_headcount_insert AFTER INSERT ON employees "
    "FOR EACH ROW EXECUTE FUNCTION employees_headcount()",
    "CREATE TRIGGER employees_headcount_delete AFTER DELETE ON employees "
    "FOR EACH ROW EXECUTE FUNCTION employees_headcount()",
    "CREATE TRIGGER employees_headcount_update AFTER UPDATE OF unit_id, status ON employees "
    "FOR EACH ROW WHEN (OLD.unit_id IS DISTINCT FROM NEW.unit_id "
    "OR OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION employees_headcount()",
    "CREATE TRIGGER employees_headcount_truncate AFTER TRUNCATE ON employees "
    "FOR EACH STATEMENT EXECUTE FUNCTION employees_headcount_truncate()",
    "CREATE TRIGGER org_units_headcount_path AFTER UPDATE OF path ON org_units "
    "FOR EACH ROW WHEN (OLD.path IS DISTINCT FROM NEW.path) "
    "EXECUTE FUNCTION org_units_headcount_path()",
]

_SQLITE_ADD = ("INSERT INTO unit_headcounts (unit_id, status, path, employees) "
               "VALUES (NEW.unit_id, NEW.status, "
               "(SELECT path FROM org_units WHERE id = NEW.unit_id), 1) "
               "ON CONFLICT (unit_id, status) DO UPDATE SET employees = employees + 1;")
_SQLITE_REMOVE = ("UPDATE unit_headcounts SET employees = employees - 1 "
                  "WHERE unit_id = OLD.unit_id AND status = OLD.status;")
SQLITE_TRIGGERS = [
    f"CREATE TRIGGER employees_headcount_insert AFTER INSERT ON employees "
    f"BEGIN {_SQLITE_ADD} END",
    f"CREATE TRIGGER employees_headcount_delete AFTER DELETE ON employees "
    f"BEGIN {_SQLITE_REMOVE} END",
    f"CREATE TRIGGER employees_headcount_update AFTER UPDATE OF unit_id, status ON employees "
    f"WHEN OLD.unit_id IS NOT NEW.unit_id OR OLD.status IS NOT NEW.status "
    f"BEGIN {_SQLITE_REMOVE} {_SQLITE_ADD} END",
    "CREATE TRIGGER org_units_headcount_path AFTER UPDATE OF path ON org_units "
    "WHEN OLD.path IS NOT NEW.path "
    "BEGIN UPDATE unit_headcounts SET path = NEW.path WHERE unit_id = NEW.id; END",
]
TRIGGERS = (("employees_headcount_insert", "employees"), ("employees_headcount_delete", "employees"),
            ("employees_headcount_update", "employees"), ("org_units_headcount_path", "org_units"))


def upgrade() -> None:
    op.create_table('unit_headcounts',
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('path', sa.String(length=1000), nullable=False),
    sa.Column('employees', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['org_units.id'], name=op.f('fk_unit_headcounts_unit_id_org_units')),
    sa.PrimaryKeyConstraint('unit_id', 'status', name=op.f('pk_unit_headcounts')),
    sqlite_autoincrement=True,
    )
    with op.batch_alter_table('unit_headcounts', schema=None) as batch_op:
        batch_op.create_index('ix_unit_headcounts_path', ['path', 'status', 'employees'], unique=False, postgresql_ops={'path': 'varchar_pattern_ops'})
    with op.batch_alter_table('employees', schema=None) as batch_op:
        batch_op.create_index('ix_employees_employee_no_unit_id', ['employee_no', 'unit_id'], unique=False)
    op.execute("INSERT INTO unit_headcounts (unit_id, status, path, employees) "
               "SELECT e.unit_id, e.status, u.path, count(*) FROM employees e "
               "JOIN org_units u ON u.id = e.unit_id GROUP BY e.unit_id, e.status, u.path")
    dialect = op.get_bind().dialect.name
    for stmt in POSTGRES_TRIGGERS if dialect == "postgresql" else SQLITE_TRIGGERS:
        op.execute(stmt)


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for name, table in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if postgres else ""))
    if postgres:
        op.execute("DROP TRIGGER IF EXISTS employees_headcount_truncate ON employees")
        for function in ("employees_headcount", "employees_headcount_truncate",
                         "org_units_headcount_path"):
            op.execute(f"DROP FUNCTION IF EXISTS {function}()")
    with op.batch_alter_table('employees', schema=None) as batch_op:
        batch_op.drop_index('ix_employees_employee_no_unit_id')
    with op.batch_alter_table('unit_headcounts', schema=None) as batch_op:
        batch_op.drop_index('ix_unit_headcounts_path')
    op.drop_table('unit_headcounts')

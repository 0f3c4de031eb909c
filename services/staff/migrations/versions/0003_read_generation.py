"""read generation: one counter the database raises whenever a listing's or chain's inputs
change

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 18:20:00

`GET /staff/employees` and `GET /staff/employees/{no}/chain` answers are replayed to an
identical request while this counter is unchanged (`api.read_lane`). Triggers rather than
application code, so that every writer raises it — the API, the CSV import, the loaders, a
bulk load, an operator's SQL. On PostgreSQL the bump is a deferred constraint trigger that
runs once per transaction, at its commit: the counter's row lock is then the last lock a
writer takes (no lock-order deadlock with the rows it changed) and readers see the new value
exactly when they can see the change. SQLite serialises writers anyway, so a plain row
trigger does. (The same design as auth's migration 0003; the SQL is written out here because
a migration must keep building the same schema whatever the code becomes.)

A later SQLite migration that rebuilds one of the watched tables (batch "move and copy")
drops its triggers: it must create them again.
"""
import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

#: Every table a listing or a chain reads (`unit_headcounts` follows `employees` and
#: `org_units` by 0002's triggers, and is watched for a writer who edits it by hand).
WATCHED = ("employees", "org_units", "positions", "unit_headcounts")
EVENTS = ("INSERT", "UPDATE", "DELETE")

PG_FUNCTION = """
CREATE FUNCTION staff_bump_generation() RETURNS trigger AS $$
BEGIN
  IF current_setting('hr.staff_generation_bumped', true) IS DISTINCT FROM 'yes' THEN
    PERFORM set_config('hr.staff_generation_bumped', 'yes', true);
    UPDATE staff_state SET generation = generation + 1 WHERE id = 1;
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql
"""


def upgrade() -> None:
    op.create_table('staff_state',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('generation', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_state')),
    sqlite_autoincrement=True,
    )
    op.execute("INSERT INTO staff_state (id, generation) VALUES (1, 0)")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_FUNCTION)
        for table in WATCHED:
            op.execute(
                f"CREATE CONSTRAINT TRIGGER {table}_bump_generation "
                f"AFTER {' OR '.join(EVENTS)} ON {table} "
                "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
                "EXECUTE FUNCTION staff_bump_generation()")
    else:
        for table in WATCHED:
            for event in EVENTS:
                op.execute(f"CREATE TRIGGER {table}_bump_generation_{event.lower()} "  # noqa: S608
                           f"AFTER {event} ON {table} "
                           "BEGIN UPDATE staff_state SET generation = generation + 1 "
                           "WHERE id = 1; END")


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for table in WATCHED:
        if postgres:
            op.execute(f"DROP TRIGGER {table}_bump_generation ON {table}")
        else:
            for event in EVENTS:
                op.execute(f"DROP TRIGGER {table}_bump_generation_{event.lower()}")
    if postgres:
        op.execute("DROP FUNCTION staff_bump_generation()")
    op.drop_table('staff_state')

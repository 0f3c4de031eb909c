"""decision generation: one counter the database raises whenever a check's inputs change

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 18:40:00

Triggers rather than application code, so that every writer raises it — the service, its
commands, a bulk load, an operator's SQL. On PostgreSQL the bump is a deferred constraint
trigger that runs once per transaction, at its commit: the counter's row lock is then the
last lock a writer takes (no lock-order deadlock with the rows it changed) and readers see
the new value exactly when they can see the change. SQLite serialises writers anyway, so a
plain row trigger does.
"""
import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

#: table -> the events that can change a decision or the bearer gate's answer. A sign-in
#: (a new token family, the user's failure counters) or a refresh changes no earlier answer —
#: only a user's status, the end of a sign-in (revoked_at) and the rest below do — so logins
#: do not throw away every replayable answer.
WATCHED = {
    "users": "UPDATE OF status OR DELETE",
    "roles": "INSERT OR UPDATE OR DELETE",
    "permissions": "INSERT OR UPDATE OR DELETE",
    "role_bindings": "INSERT OR UPDATE OR DELETE",
    "org_paths": "INSERT OR UPDATE OR DELETE",
    "clients": "INSERT OR UPDATE OR DELETE",
    "signing_keys": "INSERT OR UPDATE OR DELETE",
    "revoked_access_tokens": "INSERT OR UPDATE OR DELETE",
    "token_families": "UPDATE OF revoked_at OR DELETE",
}

PG_FUNCTION = """
CREATE FUNCTION auth_bump_generation() RETURNS trigger AS $$
BEGIN
  IF current_setting('hr.auth_generation_bumped', true) IS DISTINCT FROM 'yes' THEN
    PERFORM set_config('hr.auth_generation_bumped', 'yes', true);
    UPDATE auth_state SET generation = generation + 1 WHERE id = 1;
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql
"""


def _sqlite_events(events: str) -> list[str]:
    """SQLite triggers take one event each."""
    return events.split(" OR ")


def upgrade() -> None:
    op.create_table('auth_state',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('generation', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_auth_state')),
    sqlite_autoincrement=True,
    )
    op.execute("INSERT INTO auth_state (id, generation) VALUES (1, 0)")
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(PG_FUNCTION)
        for table, events in WATCHED.items():
            op.execute(
                f"CREATE CONSTRAINT TRIGGER {table}_bump_generation AFTER {events} ON {table} "
                "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
                "EXECUTE FUNCTION auth_bump_generation()")
    else:
        for table, events in WATCHED.items():
            for event in _sqlite_events(events):
                name = f"{table}_bump_generation_{event.split()[0].lower()}"
                op.execute(f"CREATE TRIGGER {name} AFTER {event} ON {table} "  # noqa: S608
                           "BEGIN UPDATE auth_state SET generation = generation + 1 "
                           "WHERE id = 1; END")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for table, events in WATCHED.items():
        if dialect == "postgresql":
            op.execute(f"DROP TRIGGER {table}_bump_generation ON {table}")
        else:
            for event in _sqlite_events(events):
                op.execute(f"DROP TRIGGER {table}_bump_generation_{event.split()[0].lower()}")
    if dialect == "postgresql":
        op.execute("DROP FUNCTION auth_bump_generation()")
    op.drop_table('auth_state')

"""The body of every service's `migrations/env.py`: run online against a given connection.

A service's env.py is three lines: import its metadata and call `run(metadata)`.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import MetaData, create_engine


def run(target_metadata: MetaData) -> None:
    config = context.config
    connection = config.attributes.get("connection")
    opts = {"target_metadata": target_metadata, "compare_type": True,
            "render_as_batch": True}
    if connection is not None:
        context.configure(connection=connection, **opts)
        with context.begin_transaction():
            context.run_migrations()
        return
    if context.is_offline_mode():
        context.configure(url=config.get_main_option("sqlalchemy.url"), literal_binds=True, **opts)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as conn:
        context.configure(connection=conn, **opts)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()

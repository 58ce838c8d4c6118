"""Alembic environment: runs against the connection or URL that ``qudao.db.migrate`` gives."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from qudao.db.models import metadata
from qudao.db.session import Database

config = context.config


def run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run(connection)
else:
    database = Database(config.get_main_option("sqlalchemy.url") or "")
    with database.engine.connect() as conn:
        run(conn)
    database.dispose()

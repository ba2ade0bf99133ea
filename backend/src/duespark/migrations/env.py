from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from duespark.db import make_engine
from duespark.models import Base
from duespark.models.base import exists_on

config = context.config
target_metadata = Base.metadata


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things in place; batch mode rebuilds the table.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        # Autogenerate: an index made for PostgreSQL only is not missing from SQLite.
        include_object=lambda obj, _name, _type, _reflected, _compare_to: exists_on(obj, connection.dialect.name),
    )


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as conn:
        _configure(conn)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("Offline migrations are not supported; run `duespark migrate` against a database.")
run_migrations_online()

"""All migrations go up and down on both databases, and the models match what they build."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from duespark import migrate
from duespark.db import make_engine
from duespark.models import Base
from duespark.models.base import exists_on, is_sqlite_search_table
from tests.conftest import create_postgres_database, drop_postgres_database


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_engine(request, tmp_path):
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'migrations.db'}")
        yield engine
        engine.dispose()
        return
    server = request.getfixturevalue("postgres_server_url")
    url = create_postgres_database(server)
    engine = make_engine(url)
    yield engine
    engine.dispose()
    drop_postgres_database(server, url)


def _tables(engine) -> set[str]:
    names = set(sa.inspect(engine).get_table_names()) - {"alembic_version"}
    return {name for name in names if not is_sqlite_search_table(name)}


def test_single_head_and_linear_history():
    script = ScriptDirectory.from_config(migrate.alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1, "migrations have several heads: re-chain them"


def test_up_down_up_every_step(empty_engine):
    script = ScriptDirectory.from_config(migrate.alembic_config("sqlite://"))
    revisions = [r.revision for r in reversed(list(script.walk_revisions()))]
    for revision in revisions:
        migrate.upgrade(empty_engine, revision)
        assert migrate.current_revision(empty_engine) == revision
    assert _tables(empty_engine) == set(Base.metadata.tables)
    for revision in reversed(revisions[:-1]):
        migrate.downgrade(empty_engine, revision)
        assert migrate.current_revision(empty_engine) == revision
    migrate.downgrade(empty_engine, "base")
    assert _tables(empty_engine) == set()
    migrate.upgrade(empty_engine)
    assert migrate.current_revision(empty_engine) == migrate.head_revision()


def test_models_match_migrations(empty_engine):
    migrate.upgrade(empty_engine)
    with empty_engine.connect() as connection:
        dialect = connection.dialect.name

        def include(obj, name, type_, reflected, _compare_to) -> bool:
            if type_ == "table" and reflected and is_sqlite_search_table(name):
                return False
            return exists_on(obj, dialect)

        context = MigrationContext.configure(connection, opts={"compare_type": True, "include_object": include})
        diff = compare_metadata(context, Base.metadata)
    # Expression indexes cannot be reflected on SQLite; everything else must match.
    diff = [
        d for d in diff if not (isinstance(d, tuple) and d[0] in ("add_index", "remove_index") and "lower" in str(d))
    ]
    assert diff == []


def _trigram_indexes(engine) -> set[str]:
    inspector = sa.inspect(engine)
    names = {i["name"] for table in ("invoices", "clients") for i in inspector.get_indexes(table)}
    return {name for name in names if name.endswith("_trgm")}


def test_search_indexes_on_postgresql_only(empty_engine):
    migrate.upgrade(empty_engine, "0012_search_index")
    postgresql = empty_engine.dialect.name == "postgresql"
    expected = {
        "ix_invoices_number_trgm",
        "ix_invoices_description_trgm",
        "ix_clients_name_trgm",
        "ix_clients_company_trgm",
        "ix_clients_email_trgm",
    }
    assert _trigram_indexes(empty_engine) == (expected if postgresql else set())
    migrate.downgrade(empty_engine, "0011_late_fees")
    assert _trigram_indexes(empty_engine) == set()
    migrate.upgrade(empty_engine)
    assert _trigram_indexes(empty_engine) == (expected if postgresql else set())

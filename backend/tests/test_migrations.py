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
    return set(sa.inspect(engine).get_table_names()) - {"alembic_version"}


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
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    # Expression indexes cannot be reflected on SQLite; everything else must match.
    diff = [
        d for d in diff if not (isinstance(d, tuple) and d[0] in ("add_index", "remove_index") and "lower" in str(d))
    ]
    assert diff == []

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import insert, select, text, update
from typer.testing import CliRunner

from duespark import migrate
from duespark.cli import app as cli
from duespark.db import make_engine
from duespark.models import Invoice
from duespark.ops.checksums import fingerprint_database
from duespark.ops.copydb import CopyError, copy_database
from tests.conftest import create_postgres_database, drop_postgres_database
from tests.ops.data import seed

pytestmark = pytest.mark.postgres
runner = CliRunner()


@pytest.fixture
def sqlite_source(tmp_path, clock) -> str:
    url = f"sqlite:///{tmp_path / 'dev.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    seed(engine, clock)
    engine.dispose()
    return url


@pytest.fixture
def postgres_target(postgres_server_url) -> Iterator[str]:
    url = create_postgres_database(postgres_server_url)
    yield url
    drop_postgres_database(postgres_server_url, url)


def test_copy_db_from_sqlite_to_postgres_verifies_every_table(sqlite_source, postgres_target, tmp_path):
    result = runner.invoke(
        cli,
        ["copy-db", "--from", sqlite_source, "--to", postgres_target, "--batch-size", "5"],
        env={"DUESPARK_DATA_DIR": str(tmp_path / "data"), "COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    assert "every table matches" in result.output
    assert "MISMATCH" not in result.output

    source, target = make_engine(sqlite_source), make_engine(postgres_target)
    with source.connect() as s, target.connect() as t:
        before, after = fingerprint_database(s), fingerprint_database(t)
    assert after == before
    assert after["invoices"].rows == 12
    for name, fingerprint in before.items():
        if fingerprint.rows:
            assert name in result.output and fingerprint.checksum in result.output

    # Sequences were moved past the copied ids: the app can insert right away.
    with target.begin() as conn:
        row = conn.execute(select(Invoice).limit(1)).mappings().one()
        new_row = {**row, "number": "INV-AFTER-COPY"}
        new_row.pop("id")
        new_id = conn.execute(insert(Invoice).values(new_row).returning(Invoice.id)).scalar_one()
        assert new_id == conn.execute(text("SELECT max(id) FROM invoices")).scalar_one()
        assert new_id > max(
            r for (r,) in conn.execute(text("SELECT id FROM invoices WHERE number <> 'INV-AFTER-COPY'"))
        )
    source.dispose()
    target.dispose()


def test_copy_db_refuses_a_non_empty_target(sqlite_source, postgres_target, clock):
    engine = make_engine(postgres_target)
    migrate.upgrade(engine)
    seed(engine, clock, accounts=1, invoices_per_client=1)
    with engine.connect() as conn:
        before = fingerprint_database(conn)
    with pytest.raises(CopyError, match=r"not empty: .*invoices \(2\)"):
        copy_database(sqlite_source, postgres_target)
    with engine.connect() as conn:
        assert fingerprint_database(conn) == before
    engine.dispose()


def test_copy_is_one_transaction(sqlite_source, postgres_target):
    # Make one source row impossible for PostgreSQL (SQLite does not enforce VARCHAR lengths).
    source = make_engine(sqlite_source)
    with source.begin() as conn:
        conn.execute(update(Invoice).where(Invoice.id == 12).values(currency="TOO-LONG"))
    source.dispose()
    with pytest.raises(Exception, match="value too long"):
        copy_database(sqlite_source, postgres_target, batch_size=4)
    target = make_engine(postgres_target)
    with target.connect() as conn:
        counts = {name: fp.rows for name, fp in fingerprint_database(conn).items()}
    target.dispose()
    # Accounts, users and clients were inserted before the failure, and rolled back with it.
    assert set(counts.values()) == {0}


def test_copy_db_refuses_a_source_behind_head(tmp_path, postgres_target):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine, "0001_foundation")
    engine.dispose()
    with pytest.raises(CopyError, match=r"revision 0001_foundation.*duespark migrate"):
        copy_database(url, postgres_target)
    with pytest.raises(CopyError, match="does not exist"):
        copy_database(f"sqlite:///{tmp_path / 'nowhere.db'}", postgres_target)

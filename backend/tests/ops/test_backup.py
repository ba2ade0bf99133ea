from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from duespark import migrate
from duespark.cli import app as cli
from duespark.db import make_engine
from duespark.ops.backup import BackupError, backup_into_directory, restore
from duespark.ops.checksums import fingerprint_database
from tests.conftest import create_postgres_database, drop_postgres_database
from tests.ops.data import seed

runner = CliRunner()


@pytest.fixture(params=["sqlite", "postgresql"])
def make_database(request, tmp_path) -> Iterator:
    """A factory of empty databases of one kind (dropped at the end)."""
    created: list[str] = []
    server = request.getfixturevalue("postgres_server_url") if request.param == "postgresql" else None

    def make() -> str:
        if server is None:
            url = f"sqlite:///{tmp_path / f'db{len(created)}.sqlite'}"
        else:
            url = create_postgres_database(server)
        created.append(url)
        return url

    make.kind = request.param
    yield make
    if server is not None:
        for url in created:
            drop_postgres_database(server, url)


def _seeded(url: str, clock) -> dict:
    engine = make_engine(url)
    migrate.upgrade(engine)
    seed(engine, clock)
    with engine.connect() as conn:
        fingerprints = fingerprint_database(conn)
    engine.dispose()
    return fingerprints


def _fingerprints(url: str) -> dict:
    engine = make_engine(url)
    with engine.connect() as conn:
        result = fingerprint_database(conn)
    engine.dispose()
    return result


def _cli(args: list[str], url: str, tmp_path):
    env = {"DUESPARK_DATABASE_URL": url, "DUESPARK_DATA_DIR": str(tmp_path / "data"), "DUESPARK_ENV": "test"}
    return runner.invoke(cli, args, env=env)


def test_backup_and_restore_round_trip_keeps_every_row(make_database, tmp_path, clock):
    source = make_database()
    original = _seeded(source, clock)
    assert original["invoices"].rows == 12 and original["payments"].rows == 12

    backup_path = tmp_path / "backups" / ("nightly.sqlite3" if make_database.kind == "sqlite" else "nightly.dump")
    result = _cli(["backup", str(backup_path)], source, tmp_path)
    assert result.exit_code == 0, result.output
    assert backup_path.stat().st_mode & 0o777 == 0o600
    assert not list(backup_path.parent.glob("*.partial"))

    target = make_database()
    result = _cli(["restore", str(backup_path)], target, tmp_path)
    assert result.exit_code == 0, result.output
    assert f"at revision {migrate.head_revision()}" in result.output
    restored = _fingerprints(target)
    assert restored == original
    # The seed does not fill the tables of this round's domains yet (answers, replies, bank accounts,
    # documents, webhooks, audit, 2FA, bank statements, accounting sync): the row-for-row equality above still
    # covers them.
    empty_in_the_seed = (
        "refresh_tokens",
        "scheduler_locks",
        "notices",
        "client_answers",
        "inbound_messages",
        "inbound_attachments",
        "bank_accounts",
        "invoice_documents",
        "webhook_endpoints",
        "webhook_deliveries",
        "audit_entries",
        "recovery_codes",
        "bank_statements",
        "statement_entries",
        "digest_preferences",
        "digest_sends",
        "accounting_connections",
        "accounting_links",
        "invitations",
    )
    assert all(fp.rows > 0 for name, fp in restored.items() if name not in empty_in_the_seed)

    if make_database.kind == "postgresql":
        # Sequences came along: the next id follows the restored ones.
        engine = make_engine(target)
        with engine.begin() as conn:
            next_id = conn.execute(text("SELECT nextval(pg_get_serial_sequence('invoices', 'id'))")).scalar_one()
            top = conn.execute(text("SELECT max(id) FROM invoices")).scalar_one()
        engine.dispose()
        assert next_id == top + 1


def test_restore_refuses_a_non_empty_database_without_force(make_database, tmp_path, clock):
    source = make_database()
    _seeded(source, clock)
    backup_path = tmp_path / ("b.sqlite3" if make_database.kind == "sqlite" else "b.dump")
    assert _cli(["backup", str(backup_path)], source, tmp_path).exit_code == 0

    target = make_database()
    target_engine = make_engine(target)
    migrate.upgrade(target_engine)
    seed(target_engine, clock, accounts=1, invoices_per_client=1)
    target_engine.dispose()
    before = _fingerprints(target)

    refused = _cli(["restore", str(backup_path)], target, tmp_path)
    assert refused.exit_code == 1
    assert "not empty" in refused.output and "invoices (2)" in refused.output and "--force" in refused.output
    assert _fingerprints(target) == before

    forced = _cli(["restore", str(backup_path), "--force"], target, tmp_path)
    assert forced.exit_code == 0, forced.output
    assert _fingerprints(target) == _fingerprints(source)


def test_backup_directory_keeps_the_newest(tmp_path, clock):
    url = f"sqlite:///{tmp_path / 'live.sqlite'}"
    _seeded(url, clock)
    directory = tmp_path / "daily"
    names = []
    for day in range(5):
        result = backup_into_directory(url, directory, now=clock.now() + timedelta(days=day), keep=3)
        names.append(result.path.name)
    assert names[0] == "duespark-20261125T100000Z.sqlite3"
    assert sorted(p.name for p in directory.iterdir()) == names[2:]
    (directory / "notes.txt").write_text("not a backup")
    cli_result = _cli(["backup", str(directory), "--keep", "2"], url, tmp_path)
    assert cli_result.exit_code == 0, cli_result.output
    remaining = sorted(p.name for p in directory.iterdir())
    assert len(remaining) == 3 and "notes.txt" in remaining and names[-1] in remaining


def test_backup_refusals(tmp_path, clock):
    url = f"sqlite:///{tmp_path / 'live.sqlite'}"
    _seeded(url, clock)
    assert (
        "--keep needs a directory" in _cli(["backup", str(tmp_path / "x.sqlite3"), "--keep", "3"], url, tmp_path).output
    )
    missing = _cli(["backup", str(tmp_path / "x.sqlite3")], f"sqlite:///{tmp_path / 'missing.db'}", tmp_path)
    assert missing.exit_code == 1 and "does not exist" in missing.output
    garbage = tmp_path / "garbage.bin"
    garbage.write_bytes(b"hello world, not a backup")
    with pytest.raises(BackupError, match="neither a SQLite database nor a pg_dump"):
        restore(f"sqlite:///{tmp_path / 'new.db'}", garbage, force=False)


@pytest.mark.postgres
def test_restore_refuses_a_backup_of_the_other_kind(tmp_path, clock, postgres_server_url):
    url = f"sqlite:///{tmp_path / 'live.sqlite'}"
    _seeded(url, clock)
    backup_path = tmp_path / "b.sqlite3"
    assert _cli(["backup", str(backup_path)], url, tmp_path).exit_code == 0
    target = create_postgres_database(postgres_server_url)
    try:
        result = _cli(["restore", str(backup_path)], target, tmp_path)
        assert result.exit_code == 1
        assert "is a sqlite backup but the target is postgresql" in result.output
        assert "copy-db" in result.output
    finally:
        drop_postgres_database(postgres_server_url, target)

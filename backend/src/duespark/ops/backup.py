"""Online backups and restores: SQLite through its backup API, PostgreSQL with pg_dump's custom format.

A backup is written beside its destination and renamed into place only once it has been
checked, so a crash never leaves a half-written file that looks like a good backup.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from duespark.db import make_engine, refresh_statistics
from duespark.ops.checksums import row_counts

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
BACKUP_PREFIX = "duespark-"
SUFFIXES = {"sqlite": ".sqlite3", "postgresql": ".dump"}


class BackupError(RuntimeError):
    pass


@dataclass(frozen=True)
class BackupResult:
    path: Path
    kind: str
    size_bytes: int
    pruned: list[Path]


def database_kind(url: str) -> str:
    backend = make_url(url).get_backend_name()
    if backend not in SUFFIXES:
        raise BackupError(f"cannot back up a {backend} database; only SQLite and PostgreSQL are supported")
    return backend


def sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database has nothing to back up")
    return Path(database)


def _libpq_target(url: str) -> tuple[list[str], dict[str, str]]:
    """`--dbname` without the password (which would show in `ps`) and an environment carrying it."""
    parsed = make_url(url).set(drivername="postgresql")
    env = {**os.environ}
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    return ["--dbname", parsed.set(password=None).render_as_string(hide_password=False)], env


def _run(command: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed: install the PostgreSQL client tools (postgresql-client)")
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()}")
    return result


def _backup_sqlite(url: str, partial: Path) -> None:
    source_path = sqlite_path(url)
    if not source_path.exists():
        raise BackupError(f"{source_path} does not exist")
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
    target = sqlite3.connect(partial)
    try:
        with target:
            source.backup(target)
        check = target.execute("PRAGMA integrity_check").fetchone()[0]
        if check != "ok":
            raise BackupError(f"the copy failed its integrity check: {check}")
    finally:
        source.close()
        target.close()


def _backup_postgres(url: str, partial: Path) -> None:
    target, env = _libpq_target(url)
    _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(partial), *target], env)
    _run(["pg_restore", "--list", str(partial)])


def backup_file(url: str, destination: Path) -> BackupResult:
    """Write a consistent backup of the database at `url` to `destination`."""
    kind = database_kind(url)
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(destination.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        if kind == "sqlite":
            _backup_sqlite(url, partial)
        else:
            _backup_postgres(url, partial)
        partial.chmod(0o600)
        partial.replace(destination)
    finally:
        partial.unlink(missing_ok=True)
    return BackupResult(destination, kind, destination.stat().st_size, [])


def backup_into_directory(url: str, directory: Path, *, now: datetime, keep: int | None) -> BackupResult:
    """A timestamped backup in `directory`, then only the newest `keep` backups are kept."""
    kind = database_kind(url)
    name = f"{BACKUP_PREFIX}{now:%Y%m%dT%H%M%SZ}{SUFFIXES[kind]}"
    result = backup_file(url, directory / name)
    pruned: list[Path] = []
    if keep is not None:
        backups = sorted(p for p in directory.glob(f"{BACKUP_PREFIX}*{SUFFIXES[kind]}") if p.is_file())
        pruned = backups[: max(0, len(backups) - keep)]
        for old in pruned:
            old.unlink()
    return BackupResult(result.path, kind, result.size_bytes, pruned)


def backup_kind_of_file(path: Path) -> str:
    with path.open("rb") as handle:
        head = handle.read(16)
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_DUMP_MAGIC):
        return "postgresql"
    raise BackupError(f"{path} is neither a SQLite database nor a pg_dump custom-format archive")


def non_empty_tables(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {name: count for name, count in row_counts(connection).items() if count}


def restore(url: str, source: Path, *, force: bool) -> None:
    """Replace the database at `url` with the backup at `source`.

    Refuses a target that holds any rows unless `force`; the caller migrates afterwards, so a
    backup taken by an older version comes up to the running code's schema.
    """
    if not source.is_file():
        raise BackupError(f"{source} does not exist")
    kind = database_kind(url)
    backup_kind = backup_kind_of_file(source)
    if backup_kind != kind:
        raise BackupError(
            f"{source} is a {backup_kind} backup but the target is {kind}; "
            "restore it into a database of its own kind, then move it with `duespark copy-db`"
        )
    if not (kind == "sqlite" and not sqlite_path(url).exists()):
        engine = make_engine(url)
        try:
            occupied = non_empty_tables(engine)
        finally:
            engine.dispose()
        if occupied and not force:
            summary = ", ".join(f"{name} ({count})" for name, count in sorted(occupied.items()))
            raise BackupError(f"the target database is not empty: {summary}. Pass --force to overwrite it.")
    if kind == "sqlite":
        _restore_sqlite(source, sqlite_path(url))
    else:
        target, env = _libpq_target(url)
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                *target,
                str(source),
            ],
            env,
        )
        # pg_restore brings the rows, not the planner's statistics of them.
        engine = make_engine(url)
        try:
            refresh_statistics(engine)
        finally:
            engine.dispose()


def _restore_sqlite(source: Path, target_path: Path) -> None:
    target_path.parent.mkdir(parents=True, exist_ok=True)
    backup = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    target = sqlite3.connect(target_path)
    try:
        # The backup API replaces every page of the target in one step, WAL included.
        backup.backup(target)
    finally:
        backup.close()
        target.close()

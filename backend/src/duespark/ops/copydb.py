"""Move a database to another server (typically development SQLite to production PostgreSQL).

The target is migrated to the code's head first, must be empty, and receives every row in one
transaction, parents before children; PostgreSQL sequences are then moved past the copied ids.
Afterwards row counts and checksums of both sides are compared table by table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, Integer, Table, func, select

from duespark import migrate
from duespark.db import make_engine, refresh_statistics
from duespark.ops.backup import database_kind, non_empty_tables, sqlite_path
from duespark.ops.checksums import TableFingerprint, existing_tables, fingerprint_database, row_counts

# (table name, rows copied in this step)
ProgressCallback = Callable[[str, int], None]


class CopyError(RuntimeError):
    pass


@dataclass(frozen=True)
class TableComparison:
    name: str
    source: TableFingerprint
    target: TableFingerprint

    @property
    def matches(self) -> bool:
        return self.source == self.target


@dataclass(frozen=True)
class CopyReport:
    tables: list[TableComparison]

    @property
    def ok(self) -> bool:
        return all(table.matches for table in self.tables)

    @property
    def rows(self) -> int:
        return sum(table.target.rows for table in self.tables)


def _source_connection(engine: Engine) -> Connection:
    # One snapshot for every table: a consistent copy even if someone writes meanwhile.
    if engine.dialect.name == "postgresql":
        return engine.connect().execution_options(isolation_level="REPEATABLE READ")
    return engine.connect()  # SQLite's BEGIN IMMEDIATE holds off writers for the duration


def _batches(connection: Connection, table: Table, size: int) -> Iterator[list[dict[str, Any]]]:
    result = connection.execution_options(yield_per=size).execute(select(table).order_by(*table.primary_key.columns))
    for partition in result.mappings().partitions(size):
        yield [dict(row) for row in partition]


def reset_sequences(connection: Connection, tables: list[Table]) -> None:
    """Move each serial/identity sequence past the largest copied id, so new rows get fresh ids."""
    if connection.dialect.name != "postgresql":
        return
    for table in tables:
        for column in table.primary_key.columns:
            if not isinstance(column.type, Integer) or column.autoincrement is False:
                continue
            sequence = func.pg_get_serial_sequence(table.name, column.name)
            connection.execute(select(func.setval(sequence, func.coalesce(func.max(column), 0) + 1, False)))


def copy_database(
    source_url: str,
    target_url: str,
    *,
    batch_size: int = 1000,
    on_start: Callable[[int], None] | None = None,
    on_progress: ProgressCallback | None = None,
) -> CopyReport:
    if database_kind(source_url) == "sqlite" and not sqlite_path(source_url).is_file():
        raise CopyError(f"{sqlite_path(source_url)} does not exist")
    source = make_engine(source_url)
    target = make_engine(target_url)
    try:
        revision = migrate.current_revision(source)
        head = migrate.head_revision()
        if revision != head:
            raise CopyError(
                f"the source database is at revision {revision or 'none'}, not {head}: "
                "run `duespark migrate` against it first"
            )
        migrate.upgrade(target)
        occupied = non_empty_tables(target)
        if occupied:
            summary = ", ".join(f"{name} ({count})" for name, count in sorted(occupied.items()))
            raise CopyError(f"the target database is not empty: {summary}")

        with _source_connection(source) as reader, target.begin() as writer:
            tables = existing_tables(reader)
            if on_start is not None:
                on_start(sum(row_counts(reader).values()))
            for table in tables:
                for batch in _batches(reader, table, batch_size):
                    writer.execute(table.insert(), batch)
                    if on_progress is not None:
                        on_progress(table.name, len(batch))
            reset_sequences(writer, tables)
        refresh_statistics(target)  # every table just grew from nothing

        with _source_connection(source) as reader, target.connect() as checker:
            before, after = fingerprint_database(reader), fingerprint_database(checker)
        empty = TableFingerprint(rows=0, checksum=f"{0:032x}")
        return CopyReport(
            [TableComparison(name, fingerprint, after.get(name, empty)) for name, fingerprint in before.items()]
        )
    finally:
        source.dispose()
        target.dispose()

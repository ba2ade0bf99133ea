"""Row counts and order-independent checksums per table, comparable between SQLite and PostgreSQL.

Each row is read through the table's SQLAlchemy types (so booleans, timestamps and dates come
back the same from either database), written as canonical JSON and hashed; a table's checksum
is the sum of its row hashes modulo 2**128, so row order never matters.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Table, inspect, select

from duespark.models import Base

_MODULUS = 2**128


@dataclass(frozen=True)
class TableFingerprint:
    rows: int
    checksum: str


def _canonical(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, bytes):
        return value.hex()
    raise TypeError(f"cannot checksum a {type(value).__name__}")


def row_hash(row: dict[str, Any]) -> int:
    text = json.dumps(row, sort_keys=True, separators=(",", ":"), default=_canonical)
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:16], "big")


def existing_tables(connection: Connection) -> list[Table]:
    """The application's tables present in this database, parents before children."""
    present = set(inspect(connection).get_table_names())
    return [table for table in Base.metadata.sorted_tables if table.name in present]


def fingerprint_table(connection: Connection, table: Table) -> TableFingerprint:
    total, count = 0, 0
    result = connection.execution_options(yield_per=2000).execute(select(table))
    for row in result.mappings():
        total = (total + row_hash(dict(row))) % _MODULUS
        count += 1
    return TableFingerprint(rows=count, checksum=f"{total:032x}")


def fingerprint_database(connection: Connection) -> dict[str, TableFingerprint]:
    return {table.name: fingerprint_table(connection, table) for table in existing_tables(connection)}


def row_counts(connection: Connection) -> dict[str, int]:
    from sqlalchemy import func

    return {
        table.name: connection.execute(select(func.count()).select_from(table)).scalar_one()
        for table in existing_tables(connection)
    }

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import BigInteger, DateTime, Index, Integer, MetaData
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets 64-bit ids.
IdType = BigInteger().with_variant(Integer(), "sqlite")

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# In an index's `info`: the one database it exists on.
ONLY_ON_DIALECT = "only_on_dialect"


def trigram_indexes(table: str, *columns: str) -> list[Index]:
    """GIN trigram indexes, so `column ILIKE '%text%'` reads the index instead of every row. PostgreSQL
    only (the pg_trgm extension, created by migration 0012_search_index); SQLite has no such index."""
    return [
        Index(
            f"ix_{table}_{column}_trgm",
            column,
            postgresql_using="gin",
            postgresql_ops={column: "gin_trgm_ops"},
            info={ONLY_ON_DIALECT: "postgresql"},
        ).ddl_if(dialect="postgresql")
        for column in columns
    ]


# SQLite's FTS5 trigram index of invoice numbers and descriptions, and the shadow tables FTS5 keeps beside
# it (migration 0036_sqlite_search): made by that migration, not by models.
SQLITE_SEARCH_TABLE = "invoices_search"


def is_sqlite_search_table(name: str) -> bool:
    return name == SQLITE_SEARCH_TABLE or name.startswith(f"{SQLITE_SEARCH_TABLE}_")


def exists_on(schema_object: object, dialect: str) -> bool:
    """False for an object made for another database only (migrations compare the rest)."""
    info = getattr(schema_object, "info", {})
    return info.get(ONLY_ON_DIALECT, dialect) == dialect


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware timestamps on both databases.

    SQLite stores no zone, so values are normalised to UTC on the way in and marked
    UTC on the way out; naive values are refused rather than guessed.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a timezone-aware column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime()}


class IdMixin:
    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)


class TimestampMixin:
    # Set by services from the injected clock, never by the database's own clock.
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

"""Engine and sessions. The request dependency or a worker's `transaction()` owns the commit."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import Depends, Request
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from duespark.errors import DomainError, InvalidInput


def make_engine(url: str, *, pool_size: int = 10, echo: bool = False) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, echo=echo, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin_immediate)
    else:
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
        engine = create_engine(url, echo=echo, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)
    event.listen(engine, "before_cursor_execute", _refuse_nul_characters)
    return engine


class NulCharacter(InvalidInput):
    def __init__(self) -> None:
        super().__init__("text", "Text must not contain the NUL character (U+0000)")


def _refuse_nul_characters(_conn, _cursor, _statement, parameters, _context, executemany: bool) -> None:
    """PostgreSQL cannot store U+0000 in text (a driver error, so a 500) while SQLite can: refuse it on
    both, for every value from any source (JSON, query strings, CSV cells), before it is sent."""
    # One row (a dict or a tuple) or, batched, a sequence of rows; drivers differ in which they get.
    rows = parameters if executemany else (parameters,)
    for row in rows:
        values = row.values() if isinstance(row, dict) else row if isinstance(row, list | tuple) else (row,)
        if any(isinstance(value, str) and "\x00" in value for value in values):
            raise NulCharacter()


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # Let SQLAlchemy issue BEGIN itself (see _sqlite_begin_immediate).
    dbapi_connection.isolation_level = None
    # SQLite has no time zones; insights need the calendar date of an instant in the account's zone.
    dbapi_connection.create_function("duespark_local_date", 2, _sqlite_local_date, deterministic=True)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_local_date(stored: str | None, timezone: str) -> str | None:
    """The ISO date of a stored UTC timestamp in a timezone (PostgreSQL's `timezone(tz, ts)::date`)."""
    if stored is None:
        return None
    instant = datetime.fromisoformat(stored).replace(tzinfo=UTC)
    return instant.astimezone(ZoneInfo(timezone)).date().isoformat()


def _sqlite_begin_immediate(connection) -> None:
    # SQLite has a single writer: taking the write lock at BEGIN turns would-be
    # deadlocks between readers upgrading to writers into a short wait.
    # AUTOCOMMIT connections (readiness probes) read without a transaction or the write lock.
    if connection.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
        return
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)


@contextmanager
def transaction(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work for workers and the CLI: commit on success, roll back on error."""
    session = session_factory()
    try:
        yield session
        session.commit()
    except DomainError as exc:
        if exc.keep_changes:
            session.commit()
        else:
            session.rollback()
        raise
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def get_session(request: Request) -> Iterator[Session]:
    session_factory: sessionmaker[Session] = request.app.state.session_factory
    with transaction(session_factory) as session:
        yield session


# scope="function": the commit happens before the response is sent, so a client never
# sees a success whose data was then lost to a failed commit.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]

"""Engine and sessions. The request dependency or a worker's `transaction()` owns the commit."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, TypeVar
from zoneinfo import ZoneInfo

import structlog
from fastapi import Depends, Request
from sqlalchemy import Connection, Engine, Table, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from duespark.errors import DomainError, InvalidInput

# A database that does not answer (host gone, port filtered) fails a connection attempt after this long
# instead of holding the request; libpq's minimum is 2 s.
CONNECT_TIMEOUT_SECONDS = 5
log = structlog.get_logger(__name__)
F = TypeVar("F")

# Execution option / session info key of units of work that only read (see new_session).
READS_ONLY = "duespark_reads_only"
SESSION_FACTORY = "duespark_session_factory"
# A request waits this long for a pooled connection, then fails (503) rather than queueing on.
POOL_TIMEOUT_SECONDS = 10


def make_engine(url: str, *, pool_size: int = 10, echo: bool = False) -> Engine:
    if url.startswith("sqlite"):
        engine = _make_sqlite_engine(url, echo=echo)
    else:
        engine = create_engine(
            _postgres_url(url),
            echo=echo,
            pool_size=pool_size,
            max_overflow=pool_size,
            pool_pre_ping=True,
            pool_timeout=POOL_TIMEOUT_SECONDS,
            connect_args=_postgres_connect_args(url, connect_timeout=CONNECT_TIMEOUT_SECONDS),
        )
    event.listen(engine, "before_cursor_execute", _refuse_nul_characters)
    return engine


def make_probe_engine(url: str, *, timeout_seconds: float) -> Engine:
    """The engine of readiness probes: a small pool of its own, so a probe neither queues behind busy
    requests nor hangs on a database that does not answer. Connecting, waiting for a pooled connection
    and every statement give up after about `timeout_seconds`. Reads only, in autocommit: no transaction
    to roll back on a connection the database has just dropped, and on SQLite no wait for the writer."""
    if url.startswith("sqlite"):
        engine = _make_sqlite_engine(url, echo=False)
    else:
        engine = create_engine(
            _postgres_url(url),
            pool_size=1,
            max_overflow=4,
            pool_pre_ping=True,
            pool_timeout=timeout_seconds,
            connect_args=_postgres_connect_args(
                url,
                connect_timeout=max(2, math.ceil(timeout_seconds)),
                statement_timeout_ms=int(timeout_seconds * 1000),
            ),
        )
    return engine.execution_options(isolation_level="AUTOCOMMIT")


def _make_sqlite_engine(url: str, *, echo: bool) -> Engine:
    path = url.split("///", 1)[-1]
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, echo=echo, connect_args={"check_same_thread": False, "timeout": 30})
    event.listen(engine, "connect", _sqlite_pragmas)
    event.listen(engine, "begin", _sqlite_begin_immediate)
    return engine


def _postgres_url(url: str) -> str:
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def _postgres_connect_args(url: str, *, connect_timeout: int, statement_timeout_ms: int | None = None) -> dict:
    """Timeouts for libpq, leaving any the URL sets itself (`?connect_timeout=`, `?options=`) in place."""
    query = make_url(url).query
    args: dict[str, object] = {}
    if "connect_timeout" not in query:
        args["connect_timeout"] = connect_timeout
    if statement_timeout_ms is not None:
        given = query.get("options", "")
        args["options"] = f"{given} -c statement_timeout={statement_timeout_ms}".strip()
    return args


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
    # SQLite has a single writer: a unit of work that writes takes the write lock at BEGIN, which turns
    # would-be deadlocks between readers upgrading to writers into a short wait (a deferred transaction
    # that has read cannot wait for the lock: SQLite answers SQLITE_BUSY at once).
    # Units of work that only read (GET requests, the worker's reads) begin deferred: in WAL mode they
    # read a snapshot beside the one writer and never wait for it (invariant 12).
    # AUTOCOMMIT connections (readiness probes) read without a transaction or the write lock.
    options = connection.get_execution_options()
    if options.get("isolation_level") == "AUTOCOMMIT":
        return
    connection.exec_driver_sql("BEGIN" if options.get(READS_ONLY) else "BEGIN IMMEDIATE")


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)


class WriteInReadOnlySession(RuntimeError):
    """A unit of work declared read-only tried to write: on SQLite it holds a read snapshot and cannot
    take the write lock safely, so the write must go through a write unit of work (`transaction()`)."""


def new_session(session_factory: sessionmaker[Session], *, write: bool = True) -> Session:
    """A session of the factory; `write=False` declares a unit of work that only reads. On SQLite it
    begins deferred instead of taking the write lock, and any write in it raises WriteInReadOnlySession
    (on every database, so tests on PostgreSQL catch a mislabelled unit of work too)."""
    if write:
        return session_factory()
    bind = session_factory.kw.get("bind")
    if isinstance(bind, Engine) and bind.dialect.name == "sqlite":
        # One option-engine per engine (same pool): connections from it begin deferred.
        reader = bind.__dict__.get("_duespark_reader")
        if reader is None:
            reader = bind.__dict__["_duespark_reader"] = bind.execution_options(**{READS_ONLY: True})
        session = session_factory(bind=reader)
    else:
        session = session_factory()
    session.info[READS_ONLY] = True
    return session


@event.listens_for(Session, "before_flush")
def _refuse_flush_when_reading(session: Session, _context, _instances) -> None:
    if session.info.get(READS_ONLY) and (session.new or session.dirty or session.deleted):
        raise WriteInReadOnlySession("a read-only unit of work has changes to flush")


@event.listens_for(Session, "do_orm_execute")
def _refuse_write_when_reading(state) -> None:
    if state.session.info.get(READS_ONLY) and (state.is_insert or state.is_update or state.is_delete):
        raise WriteInReadOnlySession(f"a read-only unit of work executed {state.statement!r}")


@contextmanager
def transaction(session_factory: sessionmaker[Session], *, write: bool = True) -> Iterator[Session]:
    """One unit of work for workers and the CLI: commit on success, roll back on error.

    `write=False` for a unit of work that only reads: on SQLite it does not take the write lock."""
    session = new_session(session_factory, write=write)
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


# Request methods that only read: their unit of work never takes SQLite's write lock.
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def writes(endpoint: F) -> F:
    """Marks a GET endpoint that writes (e.g. creates a default on first read): its request takes the
    write lock like a POST. Put it under the route decorator."""
    endpoint._duespark_writes = True  # type: ignore[attr-defined]
    return endpoint


def _request_writes(request: Request) -> bool:
    if request.method not in READ_METHODS:
        return True
    route = request.scope.get("route")
    return bool(getattr(getattr(route, "endpoint", None), "_duespark_writes", False))


def bulk_insert(session: Session, table: Table, rows: Iterable[dict[str, Any]]) -> int:
    """Insert many rows (all with the same keys) in the session's transaction at the database's speed:
    COPY on PostgreSQL, one prepared executemany (into a staging table) on SQLite, bypassing the ORM's
    per-row work (4-5x faster at 50,000 rows). Values go through each column's type as the ORM would
    send them, and columns left out get their Python-side scalar default. Text must already be free of
    NUL (the statement hook that refuses it is not on this path)."""
    iterator = iter(rows)
    first = next(iterator, None)
    if first is None:
        return 0
    connection = session.connection()
    dialect = connection.dialect
    given = list(first)
    defaults = {
        column.name: column.default.arg
        for column in table.columns
        if column.name not in first and column.default is not None and column.default.is_scalar
    }
    names = given + list(defaults)
    # Only the columns whose type converts values are visited per row (dates on SQLite, a few on PostgreSQL).
    conversions = [
        (index, fn)
        for index, name in enumerate(names)
        if (fn := table.c[name].type._cached_bind_processor(dialect)) is not None
    ]
    default_values = list(defaults.values())

    def values(row: dict[str, Any]) -> list[Any]:
        cells = [row[name] for name in given]
        cells.extend(default_values)
        for index, fn in conversions:
            if cells[index] is not None:
                cells[index] = fn(cells[index])
        return cells

    def all_rows() -> Iterator[list[Any]]:
        yield values(first)
        for row in iterator:
            yield values(row)

    quoted = ", ".join(dialect.identifier_preparer.quote(name) for name in names)
    target = dialect.identifier_preparer.format_table(table)
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    count = 0
    try:
        if dialect.name == "postgresql":
            with cursor.copy(f"COPY {target} ({quoted}) FROM STDIN") as copy:
                for row in all_rows():
                    copy.write_row(row)
                    count += 1
        else:
            # The rows go into a bare temporary table first and into the target with one INSERT ... SELECT:
            # the target's triggers then run inside one statement. The FTS5 search index (0036) writes out
            # its pending terms at the end of each statement, so a row per statement cost it 30 us a row
            # (1.5 s for 50,000 invoices), one statement 1 us. Table and column names come from the model.
            staging = f"temp.{dialect.identifier_preparer.quote('bulk_' + table.name)}"
            cursor.execute(f"CREATE TEMP TABLE {staging} AS SELECT {quoted} FROM {target} WHERE 0")  # noqa: S608  # nosec B608
            try:
                placeholders = ", ".join("?" * len(names))
                cursor.executemany(f"INSERT INTO {staging} VALUES ({placeholders})", all_rows())  # noqa: S608  # nosec B608
                cursor.execute(f"INSERT INTO {target} ({quoted}) SELECT {quoted} FROM {staging}")  # noqa: S608  # nosec B608
                count = cursor.rowcount
            finally:
                cursor.execute(f"DROP TABLE {staging}")
    finally:
        cursor.close()
    return count


ANALYZE_AFTER_COMMIT = "duespark_analyze_after_commit"


def analyze_after_commit(session: Session, *tables: str) -> None:
    """A bulk write grew these tables: refresh PostgreSQL's planner statistics once the unit of work
    commits. Until autovacuum gets to it (minutes later, or never on some hosts) the planner thinks the
    tables are as small as before and picks plans that read every row."""
    session.info.setdefault(ANALYZE_AFTER_COMMIT, set()).update(tables)


@event.listens_for(Session, "after_commit")
def _analyze_after_commit(session: Session) -> None:
    tables = session.info.pop(ANALYZE_AFTER_COMMIT, None)
    if tables:
        refresh_statistics(session.get_bind(), tables)


def _discard_analyze(session: Session, *_args) -> None:
    session.info.pop(ANALYZE_AFTER_COMMIT, None)


event.listen(Session, "after_rollback", _discard_analyze)


def refresh_statistics(bind: Engine | Connection, tables: Iterable[str] | None = None) -> None:
    """ANALYZE the named tables (all of them when None) on PostgreSQL, outside any transaction of the
    caller's. SQLite plans without statistics here (no sqlite_stat1), so its plans stay as tested.
    A failure is logged, not raised: the data it follows is committed.

    With an engine (autocommit) it is VACUUM (ANALYZE): besides the statistics it sets the visibility map,
    without which a count over fresh rows (the overdue list's total) visits the table for every match
    (0.5 s at 50,000 imported invoices, 4.5 s at 500,000: bench/plans/README.md)."""
    if bind.dialect.name != "postgresql":
        return
    names = [f'"{name}"' for name in sorted(tables)] if tables is not None else [""]
    try:
        if isinstance(bind, Engine):
            with bind.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                for name in names:
                    connection.exec_driver_sql(f"VACUUM (ANALYZE) {name}".rstrip())
        else:
            for name in names:
                bind.exec_driver_sql(f"ANALYZE {name}".rstrip())
    except Exception:
        log.warning("db.analyze_failed", tables=sorted(tables or []), exc_info=True)


def get_session(request: Request) -> Iterator[Session]:
    session_factory: sessionmaker[Session] = request.app.state.session_factory
    with transaction(session_factory, write=_request_writes(request)) as session:
        session.info[SESSION_FACTORY] = session_factory
        yield session


@contextmanager
def write_beside(session: Session) -> Iterator[Session]:
    """Where a read-only request must record something small (a token's last use): a short write unit
    of work of its own, committed at once; in a unit of work that writes, that unit of work itself."""
    factory = session.info.get(SESSION_FACTORY)
    if not session.info.get(READS_ONLY) or factory is None:
        yield session
        return
    with transaction(factory) as writer:
        yield writer


# scope="function": the commit happens before the response is sent, so a client never
# sees a success whose data was then lost to a failed commit.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]

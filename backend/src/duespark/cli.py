"""The `duespark` command: serve, migrate, user, demo, check-config, worker."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from duespark.clock import Clock, FixedClock, SystemClock, parse_instant
from duespark.settings import (
    ConfigurationError,
    Settings,
    load_settings,
    production_problems,
    provider_problems,
)

app = typer.Typer(help="DueSpark: invoice reminders that get you paid on time.", no_args_is_help=True)
user_app = typer.Typer(help="Manage users.", no_args_is_help=True)
app.add_typer(user_app, name="user")


def fail(message: str, code: int = 1) -> typer.Exit:
    typer.secho(message, err=True, fg=typer.colors.RED)
    return typer.Exit(code)


def _clock(now: str | None) -> Clock:
    if now is None:
        return SystemClock()
    try:
        return FixedClock(parse_instant(now))
    except ValueError as exc:
        raise fail(f"--now {now!r} is not an ISO-8601 instant such as 2026-12-01T09:00:00Z: {exc}") from None


NowOption = Annotated[
    str | None, typer.Option(help="Pretend it is this instant (ISO-8601, e.g. 2026-12-01T09:00:00Z).")
]


def _settings() -> Settings:
    try:
        return load_settings()
    except Exception as exc:  # pydantic's ValidationError names the setting
        raise fail(f"The configuration is invalid: {exc}") from None


def _migrate(settings: Settings) -> str | None:
    from duespark import migrate
    from duespark.db import make_engine

    engine = make_engine(settings.database_url_or_default)
    try:
        migrate.upgrade(engine)
        return migrate.current_revision(engine)
    finally:
        engine.dispose()


@app.command()
def migrate() -> None:
    """Apply all database migrations (safe to run again)."""
    settings = _settings()
    revision = _migrate(settings)
    typer.echo(f"Database is at revision {revision}.")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Number of API processes.")] = 1,
    migrate_first: Annotated[bool, typer.Option("--migrate/--no-migrate", help="Apply migrations first.")] = True,
) -> None:
    """Serve the API and the web app."""
    import uvicorn

    settings = _settings()
    try:
        from duespark.settings import validate_for_startup

        validate_for_startup(settings)
    except ConfigurationError as exc:
        raise fail(str(exc)) from None
    if migrate_first:
        _migrate(settings)
    from duespark.ops.logging import configure_logging
    from duespark.ops.metrics import prepare_multiprocess_dir

    configure_logging(settings)
    if workers > 1 and "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
        # Several processes: each writes its metrics to files that /metrics sums up.
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = str((settings.data_dir / "prometheus").resolve())
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        prepare_multiprocess_dir(Path(os.environ["PROMETHEUS_MULTIPROC_DIR"]))
    typer.echo(f"DueSpark on http://{host}:{port} (API docs at /api/docs)")
    # X-Forwarded-* are honoured by the app itself, only from DUESPARK_TRUSTED_PROXIES; logs are ours.
    uvicorn.run(
        "duespark.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=False,
        server_header=False,
        log_config=None,
        access_log=False,
    )


@app.command("check-config")
def check_config(
    offline: Annotated[bool, typer.Option("--offline", help="Check the settings only; contact no service.")] = False,
) -> None:
    """Check the settings, then the services (database, migrations, worker, Redis); non-zero on any problem."""
    settings = _settings()
    problems = production_problems(settings) if settings.is_production else provider_problems(settings)
    typer.echo(f"Environment: {settings.env}")
    typer.echo(f"Database: {'SQLite' if settings.uses_sqlite else 'PostgreSQL'}")
    typer.echo(f"Email provider: {settings.email_provider}")
    for problem in problems:
        typer.secho(f"  FAIL {problem}", fg=typer.colors.RED)
    if not problems:
        typer.secho("  OK   settings: no problems found", fg=typer.colors.GREEN)
    failed = bool(problems)
    from duespark.ops.health import delivery_warning

    warning = None if settings.is_production else delivery_warning(settings)
    if warning:
        typer.secho(f"  WARN email: {warning}", fg=typer.colors.YELLOW)
    if not offline:
        failed = _print_readiness(settings) or failed
        failed = _print_live_accounts(settings) or failed
    if failed:
        raise typer.Exit(1)


@user_app.command("create")
def user_create(
    email: Annotated[str, typer.Option(prompt=True, help="Sign-in email.")],
    name: Annotated[str, typer.Option(prompt=True, help="Full name.")],
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
    company: Annotated[str | None, typer.Option(help="Company name (the account).")] = None,
    timezone: Annotated[str, typer.Option(help="IANA timezone of the business.")] = "UTC",
    currency: Annotated[str, typer.Option(help="Default ISO 4217 currency.")] = "EUR",
) -> None:
    """Create a user and their account."""
    from pydantic import ValidationError

    from duespark.auth import service
    from duespark.auth.schemas import RegisterIn
    from duespark.auth.security import password_hasher
    from duespark.db import make_engine, make_session_factory, transaction
    from duespark.errors import DomainError

    settings = _settings()
    try:
        data = RegisterIn(
            email=email,
            name=name,
            password=password,
            company_name=company,
            timezone=timezone,
            default_currency=currency,
        )
    except ValidationError as exc:
        messages = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise fail(f"Cannot create the user: {messages}") from None
    _migrate(settings)
    factory = make_session_factory(make_engine(settings.database_url_or_default))
    try:
        with transaction(factory) as session:
            user, account = service.register(session, data=data, hasher=password_hasher(settings), clock=SystemClock())
            typer.echo(f"Created user {user.email} (id {user.id}) in account {account.name!r} (id {account.id}).")
    except DomainError as exc:
        raise fail(f"Cannot create the user: {exc.detail}") from None


@app.command()
def demo(
    email: Annotated[str, typer.Option(help="The demo user's email; created if missing.")] = "demo@example.com",
    now: NowOption = None,
    test_mode: Annotated[
        bool,
        typer.Option("--test-mode", help="Leave the account in test mode (emails go to you, onboarding checklist)."),
    ] = False,
) -> None:
    """Fill an account with realistic clients and invoices, and replay the last months through the worker
    (reminders, statements, clicks, payments after reminders, thank-yous; nothing is emailed)."""
    from datetime import timedelta

    from duespark import demo as demo_data
    from duespark.auth.security import password_hasher
    from duespark.db import make_engine, make_session_factory, transaction
    from duespark.reminders.service import set_test_mode
    from duespark.wiring import connect_domains

    settings = _settings()
    clock = _clock(now)
    _migrate(settings)
    connect_domains(settings)
    engine = make_engine(settings.database_url_or_default)
    factory = make_session_factory(engine)
    # The demo user signed up a year ago, before the first demo invoice.
    signed_up = FixedClock(clock.now() - timedelta(days=400))
    with transaction(factory) as session:
        account_id = demo_data.ensure_demo_user(session, email=email, hasher=password_hasher(settings), clock=signed_up)
        replay = not demo_data.shares_database(session, account_id)
    counts = demo_data.fill_account(factory, account_id=account_id, settings=settings, clock=clock, replay=replay)
    with transaction(factory) as session:
        if test_mode:
            set_test_mode(session, account_id=account_id, test_mode=True, clock=clock)
        sent = demo_data.sent_counts(session, account_id)
    engine.dispose()
    typer.echo(
        f"Demo data in account {account_id}: {counts['clients']} clients, {counts['invoices']} invoices, "
        f"{counts['payments']} payments."
    )
    if counts["clients"] and replay:
        typer.echo(
            f"Replayed {demo_data.HISTORY_DAYS} days through the worker: {sent.get('reminder', 0)} reminders, "
            f"{sent.get('statement', 0)} statements, {sent.get('thank_you', 0)} thank-yous sent (to nobody), "
            f"{counts['clicks']} payment-link clicks."
        )
    elif counts["clients"]:
        typer.echo("No reminder history: other accounts share this database, and the replay runs the real worker.")
    typer.echo(f"Sign in as {email} with password {demo_data.DEMO_PASSWORD!r} (if the demo user was new).")


def _print_readiness(settings: Settings) -> bool:
    """Print the same checks as GET /ready; True when a required one failed (the worker only warns:
    it may simply not be started yet)."""
    from duespark.db import make_probe_engine
    from duespark.ops.health import run_checks

    engine = make_probe_engine(settings.database_url_or_default, timeout_seconds=settings.ready_db_timeout_seconds)
    try:
        report = run_checks(settings=settings, engine=engine, clock=SystemClock())
    finally:
        engine.dispose()
    failed = False
    for check in report.checks:
        if check.ok:
            typer.secho(f"  OK   {check.name}: {check.detail} ({check.latency_ms} ms)", fg=typer.colors.GREEN)
        elif check.required and check.name != "worker":
            failed = True
            typer.secho(f"  FAIL {check.name}: {check.detail}", fg=typer.colors.RED)
        else:
            typer.secho(f"  WARN {check.name}: {check.detail}", fg=typer.colors.YELLOW)
    return failed


def _print_live_accounts(settings: Settings) -> bool:
    """Live accounts whose clients get no email or cannot pay; True when that is a failure (production)."""
    from duespark.db import make_probe_engine
    from duespark.ops.health import live_account_findings, live_account_problems

    engine = make_probe_engine(settings.database_url_or_default, timeout_seconds=settings.ready_db_timeout_seconds)
    try:
        with engine.connect() as connection:
            findings = live_account_findings(connection, settings)
    except Exception as exc:
        typer.secho(f"  WARN accounts: not checked ({type(exc).__name__})", fg=typer.colors.YELLOW)
        return False
    finally:
        engine.dispose()
    failures, warnings = live_account_problems(findings, settings)
    for failure in failures:
        typer.secho(f"  FAIL accounts: {failure}", fg=typer.colors.RED)
    for warning in warnings:
        typer.secho(f"  WARN accounts: {warning}", fg=typer.colors.YELLOW)
    if not failures and not warnings:
        typer.secho(f"  OK   accounts: {findings.live} live, every one can be paid", fg=typer.colors.GREEN)
    return bool(failures)


# --- ops: backups, restores and moving to another database (duespark.ops) ---


@app.command()
def backup(
    path: Annotated[Path, typer.Argument(help="A file to write, or a directory for timestamped backups.")],
    keep: Annotated[
        int | None, typer.Option(min=1, help="With a directory: keep only the newest N backups (e.g. 30).")
    ] = None,
) -> None:
    """Write a consistent online backup (SQLite backup API, or pg_dump custom format)."""
    from duespark.ops.backup import BackupError, backup_file, backup_into_directory

    settings = _settings()
    url = settings.database_url_or_default
    into_directory = path.is_dir() or str(path).endswith(os.sep)
    if keep is not None and not into_directory:
        raise fail("--keep needs a directory as PATH")
    try:
        if into_directory:
            result = backup_into_directory(url, path, now=SystemClock().now(), keep=keep)
        else:
            result = backup_file(url, path)
    except BackupError as exc:
        raise fail(f"Backup failed: {exc}") from None
    typer.echo(f"Backed up {result.kind} to {result.path} ({result.size_bytes} bytes).")
    for old in result.pruned:
        typer.echo(f"Removed old backup {old}.")


@app.command()
def restore(
    path: Annotated[Path, typer.Argument(help="A backup written by `duespark backup`.")],
    force: Annotated[bool, typer.Option("--force", help="Overwrite a database that already holds data.")] = False,
) -> None:
    """Restore a backup into the configured database, then migrate it to this version. Stop the app first."""
    from duespark.ops.backup import BackupError
    from duespark.ops.backup import restore as restore_backup

    settings = _settings()
    try:
        restore_backup(settings.database_url_or_default, path, force=force)
    except BackupError as exc:
        raise fail(f"Restore refused: {exc}") from None
    revision = _migrate(settings)
    typer.echo(f"Restored {path}; the database is at revision {revision}.")


@app.command("copy-db")
def copy_db(
    source: Annotated[str, typer.Option("--from", help="Source URL, e.g. sqlite:///data/duespark.db")],
    target: Annotated[str, typer.Option("--to", help="Empty target URL, e.g. postgresql://user@host/duespark")],
    batch_size: Annotated[int, typer.Option(min=1, help="Rows per INSERT batch.")] = 1000,
) -> None:
    """Copy every row into an empty database in one transaction, then compare counts and checksums."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
    from rich.table import Table

    from duespark.ops.copydb import CopyError, copy_database

    console = Console()
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console
    ) as progress:
        task = progress.add_task("Copying rows", total=None)

        def advance(table: str, rows: int) -> None:
            progress.update(task, advance=rows, description=f"Copying {table}")

        try:
            report = copy_database(
                source,
                target,
                batch_size=batch_size,
                on_start=lambda total: progress.update(task, total=total),
                on_progress=advance,
            )
        except CopyError as exc:
            raise fail(f"Copy refused: {exc}") from None
    table = Table("table", "source rows", "target rows", "source checksum", "target checksum", "")
    for row in report.tables:
        table.add_row(
            row.name,
            str(row.source.rows),
            str(row.target.rows),
            row.source.checksum,
            row.target.checksum,
            "OK" if row.matches else "MISMATCH",
        )
    console.print(table)
    if not report.ok:
        raise fail("The copy does not match the source; do not switch over. The target was left as written.")
    typer.secho(f"Copied {report.rows} rows in {len(report.tables)} tables; every table matches.", fg="green")


@app.command()
def worker(
    once: Annotated[bool, typer.Option("--once", help="Run one planning + dispatch tick, then exit.")] = False,
    now: NowOption = None,
) -> None:
    """Plan and send reminders on a schedule (every minute; planning every 6 hours)."""
    import signal

    from duespark.db import make_engine, make_session_factory
    from duespark.ops.logging import configure_logging
    from duespark.ops.metrics import start_metrics_server
    from duespark.ops.sentry import init_sentry
    from duespark.reminders.worker import ReminderWorker
    from duespark.wiring import connect_domains

    if now is not None and not once:
        raise fail("--now works only with --once: a running worker follows the real clock.")
    settings = _settings()
    try:
        from duespark.settings import validate_for_startup

        validate_for_startup(settings)
    except ConfigurationError as exc:
        raise fail(str(exc)) from None
    configure_logging(settings)
    init_sentry(settings, component="worker")
    if settings.worker_metrics_port and not once:
        start_metrics_server(settings.worker_metrics_port, settings.worker_metrics_address)
    connect_domains(settings)
    engine = make_engine(settings.database_url_or_default, pool_size=settings.database_pool_size)
    reminder_worker = ReminderWorker(settings=settings, session_factory=make_session_factory(engine), clock=_clock(now))
    if once:
        report = reminder_worker.run_once()
        planned = report.planned
        if planned is not None:
            typer.echo(
                f"Planned {planned.invoices} invoices: {planned.inserted} reminders added, "
                f"{planned.canceled} canceled, {planned.rescheduled} rescheduled."
            )
        sent = report.dispatched
        typer.echo(
            f"Dispatched: {sent.sent} sent, {sent.retried} to retry, {sent.failed} failed, {sent.canceled} canceled, "
            f"{sent.skipped} skipped (catch-up), {sent.deferred} held for the send window, "
            f"{sent.recovered} recovered from a stopped worker."
        )
        typer.echo(f"Outbox: {report.outbox_sent} account and thank-you emails sent.")
        engine.dispose()
        return
    # The jobs run in the scheduler's threads; this thread waits for a stop. It wakes often: a
    # signal may be delivered to another thread, and Python runs its handler only in this one.
    signal.signal(signal.SIGTERM, lambda *_: reminder_worker.stop())
    reminder_worker.scheduler(background=True).start()
    typer.echo(f"Worker {reminder_worker.worker_id} started (Ctrl+C to stop).")
    try:
        while not reminder_worker.stopping.wait(0.2):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        # Before the interpreter exits: the running dispatch records what it sent and releases the rest.
        reminder_worker.shutdown()
        engine.dispose()

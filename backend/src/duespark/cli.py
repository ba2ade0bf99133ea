"""The `duespark` command: serve, migrate, user, demo, check-config, worker."""

from __future__ import annotations

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
    typer.echo(f"DueSpark on http://{host}:{port} (API docs at /api/docs)")
    uvicorn.run("duespark.app:create_app", factory=True, host=host, port=port, workers=workers, proxy_headers=False)


@app.command("check-config")
def check_config() -> None:
    """Check the settings; exits non-zero on any problem."""
    settings = _settings()
    problems = production_problems(settings) if settings.is_production else provider_problems(settings)
    typer.echo(f"Environment: {settings.env}")
    typer.echo(f"Database: {'SQLite' if settings.uses_sqlite else 'PostgreSQL'}")
    typer.echo(f"Email provider: {settings.email_provider}")
    if problems:
        for problem in problems:
            typer.secho(f"  FAIL {problem}", fg=typer.colors.RED)
        raise typer.Exit(1)
    typer.secho("  OK   no problems found", fg=typer.colors.GREEN)


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
    email: Annotated[str, typer.Option(help="The demo user's email; created if missing.")] = "demo@duespark.local",
    now: NowOption = None,
) -> None:
    """Fill an account with realistic clients and invoices (paid early, late, overdue, due soon)."""
    from duespark import demo as demo_data
    from duespark.auth.security import password_hasher
    from duespark.db import make_engine, make_session_factory, transaction
    from duespark.wiring import connect_domains

    settings = _settings()
    clock = _clock(now)
    _migrate(settings)
    connect_domains()
    factory = make_session_factory(make_engine(settings.database_url_or_default))
    with transaction(factory) as session:
        account_id = demo_data.ensure_demo_user(session, email=email, hasher=password_hasher(settings), clock=clock)
        counts = demo_data.fill_account(session, account_id=account_id, clock=clock)
    typer.echo(
        f"Demo data in account {account_id}: {counts['clients']} clients, {counts['invoices']} invoices, "
        f"{counts['payments']} payments."
    )
    typer.echo(f"Sign in as {email} with password {demo_data.DEMO_PASSWORD!r} (if the demo user was new).")


@app.command()
def worker(
    once: Annotated[bool, typer.Option("--once", help="Run one planning + dispatch tick, then exit.")] = False,
    now: NowOption = None,
) -> None:
    """Plan and send reminders on a schedule (every minute; planning every 6 hours)."""
    import signal

    from duespark.db import make_engine, make_session_factory
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
    connect_domains()
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
        engine.dispose()
        return
    scheduler = reminder_worker.scheduler(background=False)
    signal.signal(signal.SIGTERM, lambda *_: scheduler.shutdown(wait=False))
    typer.echo(f"Worker {reminder_worker.worker_id} started (Ctrl+C to stop).")
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        engine.dispose()

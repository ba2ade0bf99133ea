from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from duespark.cli import app as cli
from duespark.db import make_engine, make_session_factory
from duespark.models import Client, Invoice, User
from duespark.models.enums import InvoiceStatus
from tests.conftest import create_postgres_database, drop_postgres_database


@contextmanager
def fresh_database(tmp_path, database_url: str, env: pytest.MonkeyPatch) -> Iterator[str]:
    """A database of the session's kind for the CLI alone (the CLI commits for real), named in its environment."""
    if database_url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / 'cli.db'}"
    else:
        server = database_url.rsplit("/", 1)[0] + "/postgres"
        url = create_postgres_database(server)
    env.setenv("DUESPARK_DATABASE_URL", url)
    env.setenv("DUESPARK_DATA_DIR", str(tmp_path / "data"))
    env.setenv("DUESPARK_ARGON2_TIME_COST", "1")
    env.setenv("DUESPARK_ARGON2_MEMORY_KIB", "1024")
    try:
        yield url
    finally:
        if not database_url.startswith("sqlite"):
            drop_postgres_database(server, url)


@pytest.fixture
def cli_env(tmp_path, monkeypatch, database_url):
    with fresh_database(tmp_path, database_url, monkeypatch) as url:
        yield url


@pytest.fixture(scope="module")
def demo_env(tmp_path_factory, database_url):
    """One `duespark demo` run per database, read by the demo tests (a run replays 120 days: it is slow)."""
    with pytest.MonkeyPatch.context() as env, fresh_database(tmp_path_factory.mktemp("demo"), database_url, env) as url:
        yield url, CliRunner().invoke(cli, ["demo", "--now", "2026-11-25T09:00:00Z"])


def test_migrate_is_idempotent(cli_env):
    runner = CliRunner()
    first = runner.invoke(cli, ["migrate"])
    second = runner.invoke(cli, ["migrate"])
    assert first.exit_code == second.exit_code == 0
    assert "Database is at revision" in second.output


def test_user_create_and_duplicate(cli_env):
    runner = CliRunner()
    args = ["user", "create", "--email", "ann@example.com", "--name", "Ann", "--password", "long password 1"]
    ok = runner.invoke(cli, [*args, "--company", "Ann Design", "--timezone", "Europe/Berlin"])
    assert ok.exit_code == 0, ok.output
    assert "Created user ann@example.com" in ok.output
    again = runner.invoke(cli, args)
    assert again.exit_code == 1
    assert "already exists" in again.output
    bad = runner.invoke(cli, ["user", "create", "--email", "x", "--name", "X", "--password", "short"])
    assert bad.exit_code == 1
    assert "Cannot create the user" in bad.output
    with make_session_factory(make_engine(cli_env))() as session:
        assert session.scalar(select(func.count()).select_from(User)) == 1


def test_demo_fills_a_realistic_account(demo_env):
    cli_env, result = demo_env
    assert result.exit_code == 0, result.output
    assert "6 clients" in result.output
    with make_session_factory(make_engine(cli_env))() as session:
        invoices = session.scalars(select(Invoice)).all()
        clients = session.scalars(select(Client)).all()
    assert len(clients) == 6
    today = date(2026, 11, 25)
    paid = [i for i in invoices if i.status == InvoiceStatus.paid]
    early = [i for i in paid if i.paid_at.date() < i.due_date]
    late = [i for i in paid if i.paid_at.date() > i.due_date]
    overdue = [i for i in invoices if i.status == InvoiceStatus.open and i.due_date < today]
    due_soon = [i for i in invoices if i.status == InvoiceStatus.open and i.due_date >= today]
    assert early and late and overdue and due_soon
    # Running it again adds nothing twice.
    again = CliRunner().invoke(cli, ["demo", "--now", "2026-11-25T09:00:00Z"])
    assert "0 clients, 0 invoices" in again.output


def test_demo_replays_months_of_the_product_at_work(demo_env):
    """Reminders, statements, clicks, payments after reminders and thank-yous, written by the real worker
    at past instants; the account opens live (no onboarding card) and nothing went to a real provider."""
    from datetime import UTC, datetime, timedelta

    from duespark.models import Account, Message, PaymentLinkClick, Reminder

    cli_env, result = demo_env
    assert result.exit_code == 0, result.output
    assert "Replayed 120 days through the worker" in result.output
    now = datetime(2026, 11, 25, 9, tzinfo=UTC)
    with make_session_factory(make_engine(cli_env))() as session:
        account = session.scalars(select(Account)).one()
        assert account.test_mode is False
        assert account.live_since is not None
        assert account.payment_instructions
        sent = session.scalars(select(Message).where(Message.status == "sent", Message.is_test.is_(False))).all()
        reminders = [m for m in sent if m.kind == "reminder" and not m.template_key.startswith("statement")]
        statements = [m for m in sent if m.kind == "reminder" and m.template_key.startswith("statement")]
        thanks = [m for m in sent if m.kind == "thank_you"]
        assert len(reminders) >= 20 and statements and len(thanks) >= 5
        assert {m.provider for m in sent} == {"demo-replay"}
        # Sent over months, in the clients' business hours, never after "now".
        times = sorted(_utc(m.sent_at) for m in reminders)
        assert times[0] < now - timedelta(days=60) and times[-1] <= now
        # Some clients paid after a reminder, having opened that reminder's payment link first.
        clicks = session.scalars(select(PaymentLinkClick)).all()
        assert clicks and all(c.reminder_id is not None for c in clicks)
        paid_after = [
            invoice
            for invoice in session.scalars(select(Invoice).where(Invoice.status == InvoiceStatus.paid))
            if any(
                r.state == "sent" and _utc(r.sent_at) < _utc(invoice.paid_at)
                for r in session.scalars(select(Reminder).where(Reminder.invoice_id == invoice.id))
            )
        ]
        assert len(paid_after) >= 3
        clicked = {c.invoice_id for c in clicks}
        assert {i.id for i in paid_after} <= clicked
    again = CliRunner().invoke(cli, ["demo", "--now", "2026-11-25T09:00:00Z", "--test-mode"])
    assert "0 clients, 0 invoices" in again.output
    with make_session_factory(make_engine(cli_env))() as session:
        assert session.scalars(select(Account)).one().test_mode is True


def _utc(value):
    from datetime import UTC

    return value if value.tzinfo else value.replace(tzinfo=UTC)


def test_bad_now_is_a_clear_error(cli_env):
    result = CliRunner().invoke(cli, ["demo", "--now", "yesterday"])
    assert result.exit_code == 1
    assert "is not an ISO-8601 instant" in result.output
    naive = CliRunner().invoke(cli, ["demo", "--now", "2026-11-25T09:00:00"])
    assert naive.exit_code == 1
    assert "no timezone" in naive.output

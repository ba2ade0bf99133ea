"""`duespark check-config` says when clients would get no email or could not pay (invariant 14)."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from duespark.cli import app as cli
from duespark.clock import FixedClock
from duespark.models import Account, Membership, User
from duespark.ops.health import LiveAccountFindings, live_account_problems
from duespark.settings import Settings
from tests.conftest import TEST_NOW
from tests.helpers import make_account


def env_for(tmp_path, url: str, provider: str = "file") -> dict[str, str]:
    return {
        "DUESPARK_ENV": "development",
        "DUESPARK_DATABASE_URL": url,
        "DUESPARK_DATA_DIR": str(tmp_path),
        "DUESPARK_EMAIL_FROM": "reminders@duespark.test",
        "DUESPARK_EMAIL_PROVIDER": provider,
        "DUESPARK_SMTP_HOST": "smtp.duespark.test",
        "DUESPARK_RUN_WORKER_IN_PROCESS": "false",
    }


def test_the_file_provider_is_a_warning_line_offline(tmp_path):
    result = CliRunner().invoke(cli, ["check-config", "--offline"], env=env_for(tmp_path, "sqlite://"))
    assert result.exit_code == 0, result.output
    assert (
        f"  WARN email: DUESPARK_EMAIL_PROVIDER is 'file': emails are written to {tmp_path / 'outbox'} and no "
        "client ever receives one. Set smtp, postmark or ses before any account goes live."
    ) in result.output
    smtp = CliRunner().invoke(cli, ["check-config", "--offline"], env=env_for(tmp_path, "sqlite://", "smtp"))
    assert "WARN email" not in smtp.output


def test_live_accounts_on_file_or_without_a_way_to_pay_are_named(tmp_path, committed_url, committed_engine):
    clock = FixedClock(TEST_NOW)
    with Session(committed_engine) as session:
        unpayable = make_account(session, clock=clock, name="Live, no way to pay")
        payable = make_account(session, clock=clock, name="Live with bank details")
        payable.payment_instructions = "IBAN DE02"
        trial = make_account(session, clock=clock, name="Still testing")
        unpayable.test_mode = payable.test_mode = False
        session.commit()
        ids = [unpayable.id, payable.id, trial.id]
    try:
        result = CliRunner().invoke(cli, ["check-config"], env=env_for(tmp_path, committed_url))
        assert result.exit_code == 0, result.output
        assert (
            "  WARN accounts: 2 live account(s) send reminders through 'file', which delivers nothing: "
            "their clients receive no email"
        ) in result.output
        assert (
            "  WARN accounts: 1 live account(s) have no bank account, payment instructions or Stripe: their "
            "clients' pay links only offer to email the sender"
        ) in result.output
        smtp = CliRunner().invoke(cli, ["check-config"], env=env_for(tmp_path, committed_url, "smtp"))
        assert "through 'smtp'" not in smtp.output
        assert "1 live account(s) have no bank account, payment instructions or Stripe" in smtp.output
    finally:
        with committed_engine.begin() as connection:
            users = select(Membership.user_id).where(Membership.account_id.in_(ids))
            user_ids = list(connection.scalars(users))
            connection.execute(delete(Account).where(Account.id.in_(ids)))
            connection.execute(delete(User).where(User.id.in_(user_ids)))


def test_live_accounts_on_a_non_delivering_provider_fail_in_production(tmp_path):
    production = Settings(env="production", data_dir=tmp_path, email_provider="file")
    failures, warnings = live_account_problems(LiveAccountFindings(live=3, unpayable=0), production)
    assert failures == [
        "3 live account(s) send reminders through 'file', which delivers nothing: their clients receive no email"
    ]
    assert warnings == []
    development = Settings(env="development", data_dir=tmp_path, email_provider="file")
    assert live_account_problems(LiveAccountFindings(live=0, unpayable=0), development) == ([], [])

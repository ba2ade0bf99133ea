"""The one place that picks the provider, and the settings check for each provider."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from duespark.cli import app as cli
from duespark.email.message import OutgoingEmail
from duespark.email.providers import build_provider
from duespark.email.providers.file import FileProvider
from duespark.email.providers.postmark import PostmarkProvider
from duespark.email.providers.ses import SesProvider
from duespark.email.providers.smtp import SmtpProvider
from duespark.settings import Settings, production_problems, provider_problems


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("file", FileProvider),
        ("console", FileProvider),
        ("smtp", SmtpProvider),
        ("postmark", PostmarkProvider),
        ("ses", SesProvider),
    ],
)
def test_build_provider_picks_by_setting(name, kind, tmp_path, monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    provider = build_provider(Settings(env="test", email_provider=name, data_dir=tmp_path, postmark_server_token="t"))
    assert isinstance(provider, kind)


def test_file_provider_writes_an_eml_a_person_can_open(tmp_path):
    provider = build_provider(Settings(env="test", email_provider="console", data_dir=tmp_path))
    result = provider.send(
        OutgoingEmail(
            to="a@x.test", from_email="r@mail.test", from_name="Ada", subject="Hi", text="Hello", html="<p>Hello</p>"
        )
    )
    [path] = (tmp_path / "outbox").glob("*.eml")
    content = path.read_text()
    assert result.provider_message_id.endswith("@mail.test>")
    assert "Subject: Hi" in content and "multipart/alternative" in content


def test_provider_problems_name_the_missing_settings():
    postmark = provider_problems(Settings(env="test", email_provider="postmark"))
    assert any("POSTMARK_SERVER_TOKEN" in p for p in postmark)
    assert any("POSTMARK_WEBHOOK_USERNAME" in p for p in postmark)
    ses = provider_problems(Settings(env="test", email_provider="ses", ses_sns_topic_arns=["not-an-arn"]))
    assert any("not an SNS topic ARN" in p for p in ses)
    assert not any("SES_SNS_TOPIC_ARNS is empty" in p for p in ses)
    smtp = provider_problems(Settings(env="test", email_provider="smtp", smtp_username="u"))
    assert any("SMTP_USERNAME and DUESPARK_SMTP_PASSWORD" in p for p in smtp)
    complete = Settings(
        env="test",
        email_provider="postmark",
        postmark_server_token="t",
        postmark_webhook_username="u",
        postmark_webhook_password="p",
        email_from="reminders@mail.example.com",
    )
    assert provider_problems(complete) == []


def test_production_needs_a_sender_address():
    problems = production_problems(Settings(env="production", email_provider="ses", ses_sns_topic_arns=[]))
    assert any("DUESPARK_EMAIL_FROM is missing" in p for p in problems)
    assert any("SES_SNS_TOPIC_ARNS is empty" in p for p in problems)


def test_check_config_reports_provider_problems(monkeypatch, tmp_path):
    monkeypatch.setenv("DUESPARK_ENV", "development")
    monkeypatch.setenv("DUESPARK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DUESPARK_EMAIL_PROVIDER", "ses")
    monkeypatch.setenv("DUESPARK_SES_SNS_TOPIC_ARNS", "arn:aws:sns:eu-west-1:123456789012:events,bad")
    result = CliRunner().invoke(cli, ["check-config"])
    assert result.exit_code == 1
    assert "'bad', which is not an SNS topic ARN" in result.output

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from duespark.app import create_app
from duespark.cli import app as cli
from duespark.settings import ConfigurationError, Settings, load_settings, production_problems

STRONG = "k8Jq2v9XzR4mT7wL1pN6sB3cF0hG5dY8uE2aQ9rZ"


def _production(**overrides) -> Settings:
    values = {
        "env": "production",
        "secret_keys": [STRONG],
        "database_url": "postgresql://duespark@db/duespark",
        "public_url": "https://pay.acme-studio.io",
        "email_from": "billing@acme-studio.io",
        "email_provider": "postmark",
        "postmark_server_token": "pm-token",
        "postmark_webhook_username": "postmark",
        "postmark_webhook_password": "Zq8v2Lm4Np7Rt1Ws5Xy9Kb3Hd6Fg0Jc",
        "cors_origins": ["https://app.acme-studio.io"],
        **overrides,
    }
    return Settings(**values)


def test_safe_production_settings_have_no_problems():
    assert production_problems(_production()) == []


@pytest.mark.parametrize(
    ("overrides", "setting"),
    [
        ({"secret_keys": []}, "DUESPARK_SECRET_KEY is missing"),
        ({"secret_keys": ["short-but-random-9x"]}, "shorter than 32 bytes"),
        ({"secret_keys": ["change-me-change-me-change-me-change-me"]}, "example value"),
        ({"secret_keys": ["a" * 40]}, "example value"),
        ({"secret_keys": [STRONG, "old"]}, "DUESPARK_SECRET_KEYS[1] is shorter"),
        ({"cors_origins": ["*"]}, "DUESPARK_CORS_ORIGINS allows '*'"),
        ({"cors_origins": ["http://localhost:5173"]}, "DUESPARK_CORS_ORIGINS allows"),
        ({"database_url": "sqlite:////srv/duespark.db"}, "DUESPARK_DATABASE_URL is SQLite"),
        ({"cookie_secure": False}, "DUESPARK_COOKIE_SECURE"),
        ({"public_url": "http://pay.acme-studio.io"}, "DUESPARK_PUBLIC_URL"),
        ({"email_from": None}, "DUESPARK_EMAIL_FROM"),
        ({"email_provider": "file"}, "DUESPARK_EMAIL_PROVIDER"),
        ({"postmark_server_token": None}, "DUESPARK_POSTMARK_SERVER_TOKEN"),
        ({"stripe_secret_key": "sk_live_x"}, "DUESPARK_STRIPE_WEBHOOK_SECRET"),
    ],
)
def test_each_unsafe_setting_is_named(overrides, setting):
    problems = production_problems(_production(**overrides))
    assert any(setting in p for p in problems), problems
    with pytest.raises(ConfigurationError, match="Refusing to start"):
        create_app(_production(**overrides))


def test_sqlite_allowed_in_production_with_opt_in():
    assert production_problems(_production(database_url="sqlite:////srv/d.db", allow_sqlite_in_production=True)) == []


def test_development_generates_and_keeps_a_secret(tmp_path):
    first = Settings(env="development", data_dir=tmp_path).signing_keys
    second = Settings(env="development", data_dir=tmp_path).signing_keys
    assert first == second
    assert len(first[0]) >= 48
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_secrets_from_files_and_lists_from_env(tmp_path, monkeypatch):
    secret_file = tmp_path / "key"
    secret_file.write_text(STRONG + "\n")
    monkeypatch.setenv("DUESPARK_SECRET_KEY_FILE", str(secret_file))
    monkeypatch.setenv("DUESPARK_CORS_ORIGINS", "https://a.example.com, https://b.example.com")
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@h/db")
    settings = load_settings()
    assert settings.secret_key == STRONG
    assert settings.cors_origins == ["https://a.example.com", "https://b.example.com"]
    assert settings.database_url == "postgresql://u@h/db"


def test_check_config_cli(tmp_path, monkeypatch):
    runner = CliRunner()
    monkeypatch.setenv("DUESPARK_ENV", "production")
    monkeypatch.setenv("DUESPARK_SECRET_KEY", "change-me")
    monkeypatch.setenv("DUESPARK_DATA_DIR", str(tmp_path))
    result = runner.invoke(cli, ["check-config"])
    assert result.exit_code == 1
    assert "DUESPARK_SECRET_KEY is shorter than 32 bytes" in result.output
    assert "DUESPARK_DATABASE_URL is SQLite" in result.output
    for name, value in {
        "DUESPARK_SECRET_KEY": STRONG,
        "DUESPARK_DATABASE_URL": "postgresql://u@h/db",
        "DUESPARK_PUBLIC_URL": "https://pay.acme-studio.io",
        "DUESPARK_EMAIL_FROM": "billing@acme-studio.io",
        "DUESPARK_EMAIL_PROVIDER": "smtp",
    }.items():
        monkeypatch.setenv(name, value)
    result = runner.invoke(cli, ["check-config", "--offline"])
    assert result.exit_code == 0, result.output
    assert "no problems found" in result.output


def test_request_threads_default_to_two_per_core_and_the_app_applies_them(tmp_path, monkeypatch, database_url):
    import anyio.to_thread
    from fastapi.testclient import TestClient

    from duespark.app import create_app
    from tests.conftest import make_test_settings

    monkeypatch.setattr("os.cpu_count", lambda: 1)
    assert make_test_settings(tmp_path, database_url).request_thread_count == 4
    monkeypatch.setattr("os.cpu_count", lambda: 6)
    assert make_test_settings(tmp_path, database_url).request_thread_count == 12
    settings = make_test_settings(tmp_path, database_url, request_threads=3)
    assert settings.request_thread_count == 3
    with TestClient(create_app(settings)) as client:
        assert client.portal.call(lambda: anyio.to_thread.current_default_thread_limiter().total_tokens) == 3

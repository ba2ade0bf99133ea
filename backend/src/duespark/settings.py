"""All configuration in one pydantic-settings class, loaded once and checked for production."""

from __future__ import annotations

import ipaddress
import os
import re
import secrets
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AliasChoices, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

ENV_PREFIX = "DUESPARK_"
MIN_SECRET_BYTES = 32
# Settings whose value may instead be read from a file named by `<NAME>_FILE`
# (Docker secrets, systemd credentials), so secrets never travel in env files.
SECRET_SETTINGS = (
    "secret_key",
    "secret_keys",
    "database_url",
    "smtp_password",
    "postmark_server_token",
    "postmark_webhook_password",
    "postmark_webhook_username",
    "stripe_secret_key",
    "stripe_webhook_secret",
    "xero_client_secret",
    "xero_webhook_key",
    "quickbooks_client_secret",
    "quickbooks_webhook_verifier_token",
    "inbound_webhook_password",
    "metrics_token",
    "sentry_dsn",
    "redis_url",
)
EXAMPLE_SECRET_MARKERS = ("change-me", "changeme", "change_me", "example", "replace-me", "your-secret", "secret-key")


def _split_csv(value: object) -> object:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore", populate_by_name=True)

    env: Literal["development", "test", "production"] = "development"
    data_dir: Path = Path("data")
    database_url: str | None = Field(
        default=None, validation_alias=AliasChoices("DUESPARK_DATABASE_URL", "DATABASE_URL", "database_url")
    )
    allow_sqlite_in_production: bool = False
    database_pool_size: int = 10
    # Requests a process works on at once; the rest wait their turn in order. Threads beyond about two per
    # core only share the interpreter's lock: at 16 connections on 2 cores, 40 threads (the old default)
    # served the overdue list at 94 req/s with some invoice details waiting over 2 s, 8 threads at 95 req/s,
    # 4 threads at 132 req/s with none (bench/api_load.py). None: two per core, at least 4. A request that
    # waits on another service (a Stripe checkout, bounded by DUESPARK_STRIPE_TIMEOUT_SECONDS) holds its
    # thread meanwhile: raise this where such calls are frequent and slow.
    request_threads: int | None = Field(default=None, ge=1, le=200)

    # JWT signing keys, current first: older keys still verify, so rotation logs nobody out.
    secret_keys: Annotated[list[str], NoDecode] = Field(default_factory=list)
    secret_key: str | None = None
    access_token_minutes: int = Field(default=15, ge=1, le=24 * 60)
    refresh_token_days: int = Field(default=30, ge=1, le=365)
    cookie_secure: bool = True
    argon2_time_cost: int = Field(default=3, ge=1)
    argon2_memory_kib: int = Field(default=65536, ge=1024)

    public_url: str = "http://127.0.0.1:8000"
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    web_dist_dir: Path | None = None

    email_provider: Literal["console", "file", "smtp", "postmark", "ses"] = "file"
    email_from: str | None = None
    smtp_host: str = "localhost"
    smtp_port: int = 587
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_security: Literal["starttls", "tls", "none"] = "starttls"
    smtp_timeout_seconds: float = 20.0
    postmark_server_token: str | None = None
    postmark_message_stream: str = "outbound"
    postmark_webhook_password: str | None = None
    ses_region: str = "eu-west-1"
    ses_configuration_set: str | None = None

    # Email delivery (issue #4): webhook credentials, SNS topics we accept, the verified-sender rule.
    postmark_webhook_username: str | None = None
    ses_sns_topic_arns: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # None: required in production only, so a new developer can send from an unverified account.
    require_verified_email_for_reminders: bool | None = None

    # Replies by email (inbound/): reminders carry `reply+<token>@<inbound_domain>` when a domain is set
    # (its MX points at Postmark inbound, SES receiving or an SMTP relay); else Reply-To is the sender.
    inbound_domain: str | None = None
    # HTTP Basic credentials of the Postmark inbound webhook URL and of the raw-MIME endpoint.
    inbound_webhook_username: str | None = None
    inbound_webhook_password: str | None = None
    # SNS topics SES receiving publishes inbound mail to (kept apart from the bounce topics).
    inbound_sns_topic_arns: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # Larger inbound requests are refused with 413; attachments up to the second limit are kept.
    inbound_max_bytes: int = Field(default=20_000_000, ge=1024)
    inbound_attachment_keep_bytes: int = Field(default=2_000_000, ge=0)
    # SES receiving's S3 action (mails over 150 KB): the one bucket DueSpark reads raw mail from, with the
    # credentials of boto3's usual chain (AWS_ACCESS_KEY_ID..., an instance role); the endpoint for MinIO and others.
    inbound_s3_bucket: str | None = None
    inbound_s3_region: str | None = None
    inbound_s3_endpoint_url: str | None = None

    # payments: Stripe checkout and webhooks, payment links
    stripe_secret_key: str | None = None
    # Several comma-separated secrets are accepted while a webhook secret is being rotated.
    stripe_webhook_secret: str | None = None
    stripe_webhook_tolerance_seconds: int = Field(default=300, ge=1, le=3600)
    stripe_timeout_seconds: float = Field(default=20.0, gt=0)
    # A click's IP address is personal data: stored only when the operator opts in.
    store_click_ip: bool = False

    # accounting sync (accounting/): each provider is offered once its app's client id is set. No defaults:
    # the ids and secrets are the operator's own apps at Xero and Intuit.
    xero_client_id: str | None = None
    # Xero web apps authenticate with a secret besides PKCE; without one the PKCE verifier alone is sent.
    xero_client_secret: str | None = None
    xero_webhook_key: str | None = None
    quickbooks_client_id: str | None = None
    quickbooks_client_secret: str | None = None
    quickbooks_webhook_verifier_token: str | None = None
    quickbooks_environment: Literal["sandbox", "production"] = "production"
    # Where the provider sends the user back: the web app's page, which hands code and state to the API.
    accounting_redirect_path: str = "/settings/integrations/callback"
    accounting_sync_minutes: int = Field(default=15, ge=1, le=24 * 60)
    # 429 answers: wait as the provider says (Retry-After) at most this long, this many times, then stop
    # the run with its cursor kept and try again at the next scheduled sync.
    accounting_max_retry_wait_seconds: float = Field(default=60.0, ge=0, le=3600)
    accounting_max_retries: int = Field(default=3, ge=0, le=20)
    accounting_timeout_seconds: float = Field(default=20.0, gt=0)

    redis_url: str | None = None
    scheduler_batch_size: int = Field(default=200, ge=1, le=10_000)
    run_worker_in_process: bool | None = None

    # insights: payer ratings by the average days a client pays after the due date (negative = early)
    insights_min_paid_invoices: int = Field(default=3, ge=1, le=100)
    insights_early_max_days: float = -2.0
    insights_on_time_max_days: float = 2.0
    insights_late_max_days: float = 14.0
    # Debt overdue longer than this is "at risk": left out of the expected cash forecast and given no
    # predicted payment date; a client with no paid invoice and such debt is rated `never_pays`.
    insights_at_risk_overdue_days: int = Field(default=90, ge=1, le=3650)

    # Reminders: retries, leases and the worker's cadence (reminders/dispatcher.py, reminders/worker.py).
    reminder_max_attempts: int = Field(default=6, ge=1, le=50)
    reminder_lease_seconds: int = Field(default=300, ge=10, le=24 * 3600)
    reminder_retry_base_seconds: int = Field(default=60, ge=1, le=3600)
    worker_dispatch_seconds: int = Field(default=60, ge=1, le=3600)
    # A worker whose heartbeat (every 15 s) is older than this is presumed dead: the next dispatch puts
    # the rows it held back to `pending` without waiting for their lease (send intent still marks them
    # "maybe sent"). At least four missed beats, so a busy worker is never mistaken for a dead one.
    worker_stale_heartbeat_seconds: int = Field(default=60, ge=60, le=24 * 3600)
    # loadfaults: emails one worker sends at once (PostgreSQL), so a provider's latency overlaps: 32 at 200 ms
    # a call is about 150 a second. A thread holds a database connection only around the call, not during it.
    dispatch_concurrency: int = Field(default=32, ge=1, le=256)
    # Reminder emails one account may send to clients in a rolling hour and day (reminders/volume.py): a first
    # wave beyond them (a big import) waits, pending, and the account owner is told once a day.
    send_budget_per_hour: int = Field(default=200, ge=1, le=1_000_000)
    send_budget_per_day: int = Field(default=1000, ge=1, le=10_000_000)

    # Invoice documents (documents/): where the PDFs and logos are kept, and how large they may be.
    # `local`: files under <data_dir>/documents; `s3`: an S3-compatible bucket (AWS, MinIO, R2...), whose
    # credentials come from the usual AWS sources (environment, profile, instance role).
    document_storage: Literal["local", "s3"] = "local"
    document_s3_bucket: str | None = None
    document_s3_endpoint_url: str | None = None
    document_s3_region: str | None = None
    # A bank statement file (reconciliation): CAMT.053 or CSV.
    statement_max_bytes: int = Field(default=10 * 1024 * 1024, ge=1024, le=100 * 1024 * 1024)
    document_max_file_bytes: int = Field(default=10 * 1024 * 1024, ge=1024, le=100 * 1024 * 1024)
    document_max_account_bytes: int = Field(default=1024 * 1024 * 1024, ge=1024)
    document_max_files_per_upload: int = Field(default=50, ge=1, le=500)
    # A bulk upload's whole request (its files together).
    document_max_upload_bytes: int = Field(default=100 * 1024 * 1024, ge=1024)
    logo_max_bytes: int = Field(default=1024 * 1024, ge=1024, le=10 * 1024 * 1024)
    # A PDF link in an email, on the pay page or in the portal works this long after it was made.
    document_link_days: int = Field(default=30, ge=1, le=365)
    # The largest message the SMTP server accepts (its SIZE); Postmark (10 MB) and SES (40 MB) are fixed.
    smtp_max_message_bytes: int = Field(default=20 * 1024 * 1024, ge=64 * 1024)
    # Outgoing webhooks (outgoing_webhooks/): only public https targets unless this is set (tests, a
    # self-hoster's receiver on their own network): then private addresses and http are allowed too.
    webhooks_allow_private_targets: bool = False
    webhook_timeout_seconds: float = Field(default=10.0, gt=0, le=60)
    # Deliveries one worker sends at once; each waits at most the timeout.
    webhook_concurrency: int = Field(default=8, ge=1, le=64)

    log_level: str = "INFO"
    log_json: bool | None = None
    sentry_dsn: str | None = None
    metrics_token: str | None = None

    # --- ops: health, metrics, rate limits, request limits, proxies (duespark.ops) ---
    sentry_traces_sample_rate: float = Field(default=0.0, ge=0.0, le=1.0)
    # /metrics answers without the token only to these networks (Prometheus on the same host or network).
    metrics_allowed_networks: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["127.0.0.1/32", "::1/128"]
    )
    # A separate port where `duespark worker` exposes its own metrics (0: none).
    worker_metrics_port: int = Field(default=0, ge=0, le=65535)
    worker_metrics_address: str = "127.0.0.1"
    ready_db_timeout_seconds: float = Field(default=2.0, gt=0)
    ready_redis_timeout_seconds: float = Field(default=1.0, gt=0)
    # /ready answers within this, whatever hangs: checks still running then are reported as failed.
    ready_timeout_seconds: float = Field(default=5.0, gt=0)
    # A worker that has not beaten for this long is presumed dead by the readiness check (it beats every 15 s).
    worker_heartbeat_max_age_seconds: int = Field(default=180, ge=10)
    rate_limit_enabled: bool = True
    rate_limit_strategy: Literal["moving-window", "fixed-window"] = "moving-window"
    rate_limit_prefix: str = "duespark"
    rate_limit_sign_in: str = "5/minute"
    rate_limit_register: str = "5/minute"
    rate_limit_public_link: str = "30/minute"
    # A client's answers (promise, dispute, "already paid") per pay link: a repeat is idempotent anyway.
    rate_limit_client_answer: str = "10/minute;50/day"
    rate_limit_api: str = "600/minute"
    max_body_bytes: int = Field(default=1_000_000, ge=1024)
    max_import_body_bytes: int = Field(default=12_000_000, ge=1024)
    # Proxies (IPs or CIDR networks) whose X-Forwarded-For/-Proto are believed; nobody else's are.
    trusted_proxies: Annotated[list[str], NoDecode] = Field(default_factory=list)
    hsts_max_age_seconds: int = Field(default=31_536_000, ge=0)

    @field_validator(
        "secret_keys",
        "cors_origins",
        "ses_sns_topic_arns",
        "inbound_sns_topic_arns",
        "metrics_allowed_networks",
        "trusted_proxies",
        mode="before",
    )
    @classmethod
    def _csv_list(cls, value: object) -> object:
        return _split_csv(value)

    @field_validator(
        "rate_limit_sign_in",
        "rate_limit_register",
        "rate_limit_public_link",
        "rate_limit_api",
        "rate_limit_client_answer",
    )
    @classmethod
    def _rate_limit(cls, value: str) -> str:
        from limits import parse_many

        try:
            parse_many(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a rate limit such as '5/minute' or '100/hour;1000/day'") from None
        return value

    @field_validator("trusted_proxies", "metrics_allowed_networks")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        for item in value:
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError:
                raise ValueError(f"{item!r} is not an IP address or network such as 10.0.0.0/8") from None
        return value

    @property
    def stripe_webhook_secrets(self) -> list[str]:
        return _split_csv(self.stripe_webhook_secret or "")  # type: ignore[return-value]

    @model_validator(mode="after")
    def _document_bucket_named(self) -> Settings:
        if self.document_storage == "s3" and not self.document_s3_bucket:
            raise ValueError("DUESPARK_DOCUMENT_STORAGE=s3 needs DUESPARK_DOCUMENT_S3_BUCKET")
        return self

    @model_validator(mode="after")
    def _insights_thresholds_ordered(self) -> Settings:
        if not self.insights_early_max_days < self.insights_on_time_max_days < self.insights_late_max_days:
            raise ValueError("insights thresholds must rise: early_max_days < on_time_max_days < late_max_days")
        return self

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def webhooks_allow_http(self) -> bool:
        """Plain http webhook URLs: outside production, or where private targets are allowed."""
        return not self.is_production or self.webhooks_allow_private_targets

    @property
    def database_url_or_default(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'duespark.db').resolve()}"

    @property
    def uses_sqlite(self) -> bool:
        return self.database_url_or_default.startswith("sqlite")

    @property
    def request_thread_count(self) -> int:
        return self.request_threads or max(4, 2 * (os.cpu_count() or 1))

    @property
    def worker_in_process(self) -> bool:
        if self.run_worker_in_process is not None:
            return self.run_worker_in_process
        return self.env == "development"

    @property
    def verified_email_required(self) -> bool:
        if self.require_verified_email_for_reminders is not None:
            return self.require_verified_email_for_reminders
        return self.is_production

    @property
    def json_logs(self) -> bool:
        return self.log_json if self.log_json is not None else self.is_production

    @cached_property
    def signing_keys(self) -> list[str]:
        """Keys for JWTs and signed links, current first.

        In development a key is generated once and kept under the data directory, so a
        new user has nothing to invent and sessions survive restarts.
        """
        keys = [*self.secret_keys]
        if self.secret_key and self.secret_key not in keys:
            keys.insert(0, self.secret_key)
        if keys or self.is_production:
            return keys
        return [_development_secret(self.data_dir)]


def _development_secret(data_dir: Path) -> str:
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def _secrets_from_files(environ: os._Environ[str] | dict[str, str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for name in SECRET_SETTINGS:
        file_var = f"{ENV_PREFIX}{name.upper()}_FILE"
        if file_var in environ and f"{ENV_PREFIX}{name.upper()}" not in environ:
            values[name] = Path(environ[file_var]).read_text().strip()
    return values


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment, `*_FILE` secrets, then explicit overrides."""
    return Settings(**{**_secrets_from_files(os.environ), **overrides})


def _looks_like_example(secret: str) -> bool:
    lowered = secret.lower()
    return any(marker in lowered for marker in EXAMPLE_SECRET_MARKERS) or len(set(secret)) < 8


def production_problems(settings: Settings) -> list[str]:
    """Each reason the settings are unsafe for production, naming the setting to fix."""
    problems: list[str] = []
    keys = settings.signing_keys
    if not keys:
        problems.append("DUESPARK_SECRET_KEY is missing: generate one with `openssl rand -base64 48`.")
    for index, key in enumerate(keys):
        name = "DUESPARK_SECRET_KEY" if index == 0 else f"DUESPARK_SECRET_KEYS[{index}]"
        if len(key.encode()) < MIN_SECRET_BYTES:
            problems.append(f"{name} is shorter than {MIN_SECRET_BYTES} bytes.")
        elif _looks_like_example(key):
            problems.append(f"{name} is an example value; generate a random one.")
    for origin in settings.cors_origins:
        if origin == "*" or "localhost" in origin or "127.0.0.1" in origin:
            problems.append(f"DUESPARK_CORS_ORIGINS allows {origin!r}; list your real https origins.")
    if settings.uses_sqlite and not settings.allow_sqlite_in_production:
        problems.append(
            "DUESPARK_DATABASE_URL is SQLite: use PostgreSQL, or set DUESPARK_ALLOW_SQLITE_IN_PRODUCTION=true."
        )
    if not settings.cookie_secure:
        problems.append("DUESPARK_COOKIE_SECURE is false: cookies would travel over plain HTTP.")
    if not settings.public_url.startswith("https://"):
        problems.append("DUESPARK_PUBLIC_URL must be an https:// URL (links in emails point there).")
    for name, value in (("DUESPARK_PUBLIC_URL", settings.public_url), ("DUESPARK_EMAIL_FROM", settings.email_from)):
        if value and re.search(r"(^|[.@/])example\.(com|org|net)\b", value):
            problems.append(f"{name} is still the example value {value!r}.")
    if not settings.email_from:
        problems.append("DUESPARK_EMAIL_FROM is missing: reminders need a sender address.")
    if settings.email_provider in ("console", "file"):
        problems.append(f"DUESPARK_EMAIL_PROVIDER is {settings.email_provider!r}: no email would be delivered.")
    problems.extend(provider_problems(settings))
    return problems


def provider_problems(settings: Settings) -> list[str]:
    """Missing settings of the chosen email and payment providers."""
    problems: list[str] = []
    if settings.email_provider == "postmark" and not settings.postmark_server_token:
        problems.append("DUESPARK_POSTMARK_SERVER_TOKEN is missing for the postmark provider.")
    if settings.email_provider == "smtp" and not settings.smtp_host:
        problems.append("DUESPARK_SMTP_HOST is missing for the smtp provider.")
    problems.extend(email_provider_problems(settings))
    if settings.stripe_secret_key and not settings.stripe_webhook_secret:
        problems.append("DUESPARK_STRIPE_WEBHOOK_SECRET is missing: Stripe payments would never be noticed.")
    problems.extend(accounting_problems(settings))
    return problems


def accounting_problems(settings: Settings) -> list[str]:
    """An accounting provider offered with half its settings would fail only when a user connects."""
    problems: list[str] = []
    if settings.quickbooks_client_id and not settings.quickbooks_client_secret:
        problems.append("DUESPARK_QUICKBOOKS_CLIENT_SECRET is missing: QuickBooks needs the app's secret.")
    if settings.quickbooks_client_id and settings.is_production and settings.quickbooks_environment == "sandbox":
        problems.append("DUESPARK_QUICKBOOKS_ENVIRONMENT is 'sandbox': users' real books would not be reached.")
    for name in ("xero", "quickbooks"):
        secret = getattr(settings, f"{name}_client_secret")
        if secret and not getattr(settings, f"{name}_client_id"):
            problems.append(f"DUESPARK_{name.upper()}_CLIENT_ID is missing beside its client secret.")
    return problems


def email_provider_problems(settings: Settings) -> list[str]:
    """Settings the email provider and its bounce webhooks need to work together."""
    problems: list[str] = []
    if settings.email_provider == "smtp":
        if bool(settings.smtp_username) != bool(settings.smtp_password):
            problems.append("DUESPARK_SMTP_USERNAME and DUESPARK_SMTP_PASSWORD must be set together.")
        if settings.smtp_username and settings.smtp_security == "none" and settings.is_production:
            problems.append("DUESPARK_SMTP_SECURITY is 'none': the SMTP password would travel in clear text.")
    if settings.email_provider == "postmark":
        if not settings.postmark_message_stream:
            problems.append("DUESPARK_POSTMARK_MESSAGE_STREAM is empty; use 'outbound' (the transactional stream).")
        if not (settings.postmark_webhook_username and settings.postmark_webhook_password):
            problems.append(
                "DUESPARK_POSTMARK_WEBHOOK_USERNAME/_PASSWORD are missing: bounces and complaints would be refused."
            )
    if settings.email_provider == "ses":
        if not settings.ses_region:
            problems.append("DUESPARK_SES_REGION is missing for the ses provider.")
        if not settings.ses_sns_topic_arns:
            problems.append("DUESPARK_SES_SNS_TOPIC_ARNS is empty: SES bounces and complaints would be refused.")
        for arn in settings.ses_sns_topic_arns:
            if not arn.startswith("arn:aws") or arn.count(":") != 5:
                problems.append(f"DUESPARK_SES_SNS_TOPIC_ARNS has {arn!r}, which is not an SNS topic ARN.")
    if settings.email_from and "@" not in settings.email_from:
        problems.append(f"DUESPARK_EMAIL_FROM {settings.email_from!r} is not an email address.")
    problems.extend(inbound_problems(settings))
    return problems


def inbound_problems(settings: Settings) -> list[str]:
    """Replies by email: a reply address on reminders needs a door for the replies to come in through."""
    problems: list[str] = []
    domain = settings.inbound_domain
    if domain and not re.fullmatch(r"(?=.{1,253}$)([a-z0-9-]{1,63}\.)+[a-z]{2,63}", domain.lower()):
        problems.append(f"DUESPARK_INBOUND_DOMAIN {domain!r} is not a domain name (e.g. replies.example.org).")
    if bool(settings.inbound_webhook_username) != bool(settings.inbound_webhook_password):
        problems.append("DUESPARK_INBOUND_WEBHOOK_USERNAME and DUESPARK_INBOUND_WEBHOOK_PASSWORD must be set together.")
    if domain and not settings.inbound_webhook_password and not settings.inbound_sns_topic_arns:
        problems.append(
            "DUESPARK_INBOUND_DOMAIN is set but replies cannot come in: set DUESPARK_INBOUND_WEBHOOK_USERNAME/"
            "_PASSWORD (Postmark inbound or an SMTP relay) or DUESPARK_INBOUND_SNS_TOPIC_ARNS (SES receiving)."
        )
    return problems


class ConfigurationError(RuntimeError):
    pass


def validate_for_startup(settings: Settings) -> None:
    if settings.is_production:
        problems = production_problems(settings)
        if problems:
            raise ConfigurationError("Refusing to start in production:\n- " + "\n- ".join(problems))

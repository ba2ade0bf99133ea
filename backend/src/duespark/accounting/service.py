"""Accounting connections of an account: connect (a signed, single-use state bound to the account), tokens
stored encrypted like the Stripe key, disconnect, sync on demand, and what the API lists."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from duespark.accounting.base import Provider
from duespark.accounting.oauth import Tokens, new_nonce, new_verifier
from duespark.accounting.schemas import IntegrationOut, SyncRowError
from duespark.audit import service as audit
from duespark.clock import Clock
from duespark.errors import Conflict, InvalidInput, NotFound
from duespark.models import AccountingConnection, AccountingLink
from duespark.payments.crypto import decrypt_secret, encrypt_secret
from duespark.settings import Settings
from duespark.signing import InvalidLink, sign_token, verify_token

STATE_PURPOSE = "accounting-oauth"
STATE_TTL = timedelta(minutes=15)

CONNECTED = "connected"
NEEDS_RECONNECT = "needs_reconnect"
DISCONNECTED = "disconnected"


def redirect_uri(settings: Settings, provider: Provider) -> str:
    return f"{settings.public_url.rstrip('/')}{settings.accounting_redirect_path}/{provider.name}"


def find_connection(
    session: Session, *, account_id: int, provider: str, lock: bool = False
) -> AccountingConnection | None:
    stmt = select(AccountingConnection).where(
        AccountingConnection.account_id == account_id, AccountingConnection.provider == provider
    )
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return session.scalars(stmt).first()


def list_connections(session: Session, *, account_id: int) -> dict[str, AccountingConnection]:
    rows = session.scalars(select(AccountingConnection).where(AccountingConnection.account_id == account_id))
    return {row.provider: row for row in rows}


def begin_connect(
    session: Session, *, settings: Settings, provider: Provider, account_id: int, clock: Clock
) -> tuple[str, str | None]:
    """A new state and PKCE verifier for the account's connection; the last one handed out stops working."""
    if provider.oauth() is None:
        raise Conflict(f"{provider.label} is not set up on this server (DUESPARK_{provider.name.upper()}_CLIENT_ID)")
    now = clock.now()
    connection = find_connection(session, account_id=account_id, provider=provider.name, lock=True)
    if connection is None:
        connection = AccountingConnection(
            account_id=account_id, provider=provider.name, status=DISCONNECTED, created_at=now, updated_at=now
        )
        session.add(connection)
    nonce = new_nonce()
    verifier = new_verifier() if provider.oauth().pkce else None  # type: ignore[union-attr]
    connection.oauth_nonce = nonce
    connection.oauth_verifier_encrypted = encrypt_secret(settings, verifier) if verifier else None
    connection.updated_at = now
    session.flush()
    expires = int((now + STATE_TTL).timestamp())
    state = sign_token(settings, STATE_PURPOSE, f"{account_id}.{provider.name}.{nonce}.{expires}")
    return state, verifier


def _bad_state() -> InvalidInput:
    return InvalidInput("state", "This connection attempt is not valid any more: start it again from Settings")


def claim_state(
    session: Session, *, settings: Settings, provider: Provider, account_id: int, state: str, clock: Clock
) -> str | None:
    """Check the state the provider sent back and use it up; returns the PKCE verifier that goes with it.

    It must be signed by us, for this account and provider, not expired, and the one handed out last."""
    try:
        value = verify_token(settings, STATE_PURPOSE, state)
    except InvalidLink:
        raise _bad_state() from None
    parts = value.split(".")
    if len(parts) != 4 or parts[0] != str(account_id) or parts[1] != provider.name or not parts[3].isdigit():
        raise _bad_state()
    if int(parts[3]) < clock.now().timestamp():
        raise _bad_state()
    connection = find_connection(session, account_id=account_id, provider=provider.name, lock=True)
    if connection is None or connection.oauth_nonce is None or connection.oauth_nonce != parts[2]:
        raise _bad_state()
    verifier = (
        decrypt_secret(settings, connection.oauth_verifier_encrypted) if connection.oauth_verifier_encrypted else None
    )
    connection.oauth_nonce = None
    connection.oauth_verifier_encrypted = None
    connection.updated_at = clock.now()
    return verifier


def save_tokens(
    session: Session,
    *,
    settings: Settings,
    provider: Provider,
    account_id: int,
    tokens: Tokens,
    tenant_id: str,
    tenant_name: str | None,
    clock: Clock,
) -> AccountingConnection:
    connection = find_connection(session, account_id=account_id, provider=provider.name, lock=True)
    if connection is None:
        raise NotFound("Accounting connection")
    now = clock.now()
    if connection.tenant_id != tenant_id:
        # Other books: what was linked belonged to the organisation connected before; the next sync is a first one.
        session.execute(delete(AccountingLink).where(AccountingLink.connection_id == connection.id))
        connection.modified_since = None
        connection.cursor = None
    connection.tenant_id = tenant_id
    connection.tenant_name = tenant_name
    store_tokens(settings, connection, tokens)
    connection.status = CONNECTED
    connection.last_error = None
    connection.next_sync_at = now
    connection.updated_at = now
    audit.record(
        session,
        account_id=account_id,
        action="accounting.connected",
        entity_type="accounting_connection",
        entity_id=connection.id,
        now=now,
        changes={"provider": provider.name, "tenant_name": tenant_name},
    )
    return connection


def store_tokens(settings: Settings, connection: AccountingConnection, tokens: Tokens) -> None:
    connection.access_token_encrypted = encrypt_secret(settings, tokens.access_token)
    connection.refresh_token_encrypted = (
        encrypt_secret(settings, tokens.refresh_token) if tokens.refresh_token else None
    )
    connection.token_expires_at = tokens.expires_at


def access_token(settings: Settings, connection: AccountingConnection) -> str | None:
    encrypted = connection.access_token_encrypted
    return decrypt_secret(settings, encrypted) if encrypted else None


def refresh_token(settings: Settings, connection: AccountingConnection) -> str | None:
    encrypted = connection.refresh_token_encrypted
    return decrypt_secret(settings, encrypted) if encrypted else None


def connected(session: Session, *, account_id: int, provider: str) -> AccountingConnection:
    connection = find_connection(session, account_id=account_id, provider=provider, lock=True)
    if connection is None or connection.status == DISCONNECTED:
        raise NotFound("Accounting connection")
    return connection


def request_sync(session: Session, *, account_id: int, provider: str, clock: Clock) -> AccountingConnection:
    """Queue a sync for the worker's next tick (the provider is called outside any request)."""
    connection = connected(session, account_id=account_id, provider=provider)
    if connection.status == NEEDS_RECONNECT:
        raise Conflict("The connection needs to be connected again before it can sync")
    queue_sync(connection, now=clock.now())
    return connection


def queue_sync(connection: AccountingConnection, *, now: datetime) -> None:
    """Sync at the next tick; a run going on now runs once more when it ends, since it may have read
    those pages before the change."""
    connection.next_sync_at = min(connection.next_sync_at or now, now)
    if connection.cursor is not None:
        connection.cursor = {**connection.cursor, "again": True}


def disconnect(session: Session, *, account_id: int, provider: str, clock: Clock) -> None:
    """Tokens forgotten, syncing stops; the invoices and clients it brought stay, as do the links, so
    connecting the same books again continues where it left off."""
    connection = connected(session, account_id=account_id, provider=provider)
    now = clock.now()
    connection.status = DISCONNECTED
    connection.access_token_encrypted = None
    connection.refresh_token_encrypted = None
    connection.token_expires_at = None
    connection.next_sync_at = None
    connection.cursor = None
    connection.updated_at = now
    audit.record(
        session,
        account_id=account_id,
        action="accounting.disconnected",
        entity_type="accounting_connection",
        entity_id=connection.id,
        now=now,
        changes={"provider": provider},
    )


def update_settings(
    session: Session,
    *,
    account_id: int,
    provider: Provider,
    write_back_payments: bool,
    payment_account: str | None,
    clock: Clock,
) -> AccountingConnection:
    """Turn writing Stripe payments back on or off. Turned on, it applies to payments received from now
    on: earlier ones may be in the books already, typed in by hand."""
    connection = connected(session, account_id=account_id, provider=provider.name)
    if write_back_payments and provider.name == "xero" and not payment_account:
        raise InvalidInput("payment_account", "Xero needs the code of the bank account Stripe payments go to")
    now = clock.now()
    before = {
        "write_back_payments": connection.write_back_since is not None,
        "payment_account": connection.payment_account,
    }
    if write_back_payments and connection.write_back_since is None:
        connection.write_back_since = now
    elif not write_back_payments:
        connection.write_back_since = None
    connection.payment_account = payment_account
    connection.updated_at = now
    after = {"write_back_payments": write_back_payments, "payment_account": payment_account}
    if after != before:
        audit.record(
            session,
            account_id=account_id,
            action="accounting.settings_changed",
            entity_type="accounting_connection",
            entity_id=connection.id,
            now=now,
            changes=audit.diff(before, after),
        )
    return connection


def connections_of_tenant(session: Session, *, provider: str, tenant_id: str) -> list[AccountingConnection]:
    """The connected accounts that follow one organisation's books (a provider webhook names only that)."""
    return list(
        session.scalars(
            select(AccountingConnection).where(
                AccountingConnection.provider == provider,
                AccountingConnection.tenant_id == tenant_id,
                AccountingConnection.status == CONNECTED,
            )
        )
    )


def request_tenant_syncs(session: Session, *, provider: str, tenant_ids: list[str], now: datetime) -> int:
    """A verified provider webhook: the connections to those organisations sync at the next tick."""
    rows = [row for tenant in tenant_ids for row in connections_of_tenant(session, provider=provider, tenant_id=tenant)]
    for row in rows:
        queue_sync(row, now=now)
    return len(rows)


def integration_out(provider: Provider, connection: AccountingConnection | None, *, now: datetime) -> IntegrationOut:
    result = (connection.last_result if connection else None) or {}
    status = "not_connected"
    if connection is not None and (connection.status != DISCONNECTED or connection.tenant_id):
        status = connection.status
    running = connection is not None and (
        connection.cursor is not None or (connection.next_sync_at is not None and connection.next_sync_at <= now)
    )
    return IntegrationOut(
        provider=provider.name,
        label=provider.label,
        configured=provider.oauth() is not None,
        status=status,  # type: ignore[arg-type]
        organisation=connection.tenant_name if connection else None,
        syncing=running and status == CONNECTED,
        last_sync_started_at=connection.last_sync_started_at if connection else None,
        last_sync_finished_at=connection.last_sync_finished_at if connection else None,
        next_sync_at=connection.next_sync_at if connection and status == CONNECTED else None,
        last_error=connection.last_error if connection else None,
        write_back_payments=connection is not None and connection.write_back_since is not None,
        payment_account=connection.payment_account if connection else None,
        counts={str(k): int(v) for k, v in (result.get("counts") or {}).items()},
        errors=[SyncRowError(**e) for e in result.get("errors") or []],
    )
